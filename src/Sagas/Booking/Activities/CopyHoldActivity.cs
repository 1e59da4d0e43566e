using BookMyShow.Contracts.Bookings;
using BookMyShow.Core.Bookings;
using BookMyShow.Core.Persistence;
using MassTransit;

namespace BookMyShow.Sagas.Booking.Activities;

/// <summary>The first confirmation of a hold starts its saga from the hold as the gateway read it (ADR 15).</summary>
public sealed class CopyHoldActivity(TimeProvider time) : BookingActivity<ConfirmBooking>
{
    protected override Task RunAsync(BehaviorContext<BookingState, ConfirmBooking> context)
    {
        var saga = context.Saga;
        var m = context.Message;
        saga.HoldId = m.HoldId;
        saga.ShowId = m.ShowId;
        saga.UserId = m.UserId;
        saga.SeatIds = SeatList.Join(m.SeatIds);
        saga.Amount = m.Amount;
        saga.Currency = m.Currency;
        saga.ExpiresAt = m.ExpiresAt.UtcDateTime;
        saga.UpdatedAt = time.GetUtcNow().UtcDateTime;
        return Task.CompletedTask;
    }
}

using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Payments;
using BookMyShow.Core.Bookings;
using BookMyShow.Core.Messaging;
using BookMyShow.Sagas.Booking.Ports;
using MassTransit;

namespace BookMyShow.Sagas.Booking.Activities;

/// <summary>
/// The money is taken: asks the show's partition to turn the hold into a booking. The booking id is fixed once, so a
/// confirmation asked again (the database was down) books under the same id.
/// </summary>
public sealed class ConfirmSeatsActivity(TimeProvider time, PartitionRouter router, IBookingOutbox outbox) : BookingActivity<PaymentSucceeded>
{
    protected override Task RunAsync(BehaviorContext<BookingState, PaymentSucceeded> context)
    {
        var saga = context.Saga;
        var m = context.Message;
        var now = time.GetUtcNow().UtcDateTime;
        saga.PaymentIntentId = m.PaymentIntentId;
        saga.BookingId ??= "b_" + saga.CorrelationId.ToString("N");
        saga.UpdatedAt = now;
        return outbox.SendAsync(context, new ConfirmSeats
        {
            HoldId = saga.HoldId, ShowId = saga.ShowId, UserId = saga.UserId, BookingId = saga.BookingId,
            AttemptId = m.AttemptId, PaymentIntentId = m.PaymentIntentId, Amount = m.Amount, Currency = m.Currency,
            IdempotencyKey = saga.IdempotencyKey,
            // Bounds how late the partition may still book (Bookings:ConfirmDeadline).
            PaidAt = m.SucceededAt ?? new DateTimeOffset(now, TimeSpan.Zero),
        }, router.AddressOf(saga.ShowId));
    }
}

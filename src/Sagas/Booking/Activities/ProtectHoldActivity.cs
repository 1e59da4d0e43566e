using BookMyShow.Contracts.Bookings;
using BookMyShow.Core.Bookings;
using BookMyShow.Core.Messaging;
using BookMyShow.Sagas.Booking.Ports;
using MassTransit;

namespace BookMyShow.Sagas.Booking.Activities;

/// <summary>
/// Tells the show's partition how long to keep the hold's seats: to the end of the payment grace while a payment is
/// in flight, else to the hold's own expiry (the protection ends with the attempt).
/// </summary>
public sealed class ProtectHoldActivity(PartitionRouter router, IBookingOutbox outbox) : BookingActivity
{
    protected override Task RunAsync(BehaviorContext<BookingState> context)
    {
        var saga = context.Saga;
        var until = saga.PaymentGraceUntil ?? saga.ExpiresAt;
        return outbox.SendAsync(context, new ProtectHoldForPayment
        {
            HoldId = saga.HoldId, ShowId = saga.ShowId, Until = new DateTimeOffset(until, TimeSpan.Zero),
        }, router.AddressOf(saga.ShowId));
    }
}

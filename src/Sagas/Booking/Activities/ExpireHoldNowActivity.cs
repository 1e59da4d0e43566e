using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Bookings;
using BookMyShow.Core.Messaging;
using BookMyShow.Sagas.Booking.Ports;
using MassTransit;

namespace BookMyShow.Sagas.Booking.Activities;

/// <summary>
/// Asks the show's partition to expire the hold now, without waiting for the hold clock: its time ran out while the
/// payment was in flight. The partition checks that the hold is past its expiry.
/// </summary>
public sealed class ExpireHoldNowActivity(TimeProvider time, PartitionRouter router, IBookingOutbox outbox) : BookingActivity
{
    protected override Task RunAsync(BehaviorContext<BookingState> context)
    {
        var saga = context.Saga;
        saga.UpdatedAt = time.GetUtcNow().UtcDateTime;
        return outbox.SendAsync(context, new ExpireHolds { ShowId = saga.ShowId, HoldIds = [saga.HoldId], IgnorePaymentGrace = true },
            router.AddressOf(saga.ShowId));
    }
}

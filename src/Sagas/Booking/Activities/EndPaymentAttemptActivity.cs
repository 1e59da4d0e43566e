using BookMyShow.Core.Bookings;
using MassTransit;

namespace BookMyShow.Sagas.Booking.Activities;

/// <summary>The attempt is over without money: the payment grace ends with it.</summary>
public sealed class EndPaymentAttemptActivity(TimeProvider time) : BookingActivity
{
    protected override Task RunAsync(BehaviorContext<BookingState> context)
    {
        context.Saga.PaymentGraceUntil = null;
        context.Saga.UpdatedAt = time.GetUtcNow().UtcDateTime;
        return Task.CompletedTask;
    }
}

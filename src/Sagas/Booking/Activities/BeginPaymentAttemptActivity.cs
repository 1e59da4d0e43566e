using BookMyShow.Contracts.Bookings;
using BookMyShow.Core.Bookings;
using MassTransit;
using Microsoft.Extensions.Options;

namespace BookMyShow.Sagas.Booking.Activities;

/// <summary>
/// Records the confirmation being paid for (its attempt and Idempotency-Key) and how long the hold may outlive its
/// expiry while the money moves (Bookings:PaymentGrace, ADR 7).
/// </summary>
public sealed class BeginPaymentAttemptActivity(TimeProvider time, IOptions<BookingOptions> options) : BookingActivity<ConfirmBooking>
{
    protected override Task RunAsync(BehaviorContext<BookingState, ConfirmBooking> context)
    {
        var saga = context.Saga;
        saga.AttemptId = context.Message.AttemptId;
        saga.IdempotencyKey = context.Message.IdempotencyKey;
        saga.Attempts++;
        saga.PaymentGraceUntil = saga.ExpiresAt + options.Value.PaymentGrace;
        saga.UpdatedAt = time.GetUtcNow().UtcDateTime;
        return Task.CompletedTask;
    }
}

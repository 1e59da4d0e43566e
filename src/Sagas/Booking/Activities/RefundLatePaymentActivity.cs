using BookMyShow.Contracts.Payments;
using BookMyShow.Core.Bookings;
using BookMyShow.Core.Messaging;
using BookMyShow.Sagas.Booking.Ports;
using MassTransit;
using Microsoft.Extensions.Options;

namespace BookMyShow.Sagas.Booking.Activities;

/// <summary>Money taken after the hold ended (expired or released, and past any payment grace) is given back.</summary>
public sealed class RefundLatePaymentActivity(TimeProvider time, PartitionRouter router, IOptions<BookingOptions> options, IBookingOutbox outbox)
    : BookingActivity<PaymentSucceeded>
{
    protected override Task RunAsync(BehaviorContext<BookingState, PaymentSucceeded> context)
    {
        var saga = context.Saga;
        var m = context.Message;
        saga.PaymentIntentId = m.PaymentIntentId;
        saga.UpdatedAt = time.GetUtcNow().UtcDateTime;
        var reason = saga.EndReason ?? BookingEndReasons.Expired;
        return outbox.SendAsync(context, Refunds.Of(saga, m.PaymentIntentId, m.Amount, m.Currency, $"hold {reason.ToLowerInvariant()} before payment completed"),
            router.AddressOfEndpoint(options.Value.PaymentsQueue));
    }
}

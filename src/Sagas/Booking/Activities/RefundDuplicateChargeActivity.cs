using BookMyShow.Contracts.Payments;
using BookMyShow.Core.Bookings;
using BookMyShow.Core.Messaging;
using BookMyShow.Sagas.Booking.Ports;
using MassTransit;
using Microsoft.Extensions.Options;

namespace BookMyShow.Sagas.Booking.Activities;

/// <summary>A second charge for a hold that is already paid for is given back; the saga's state stays.</summary>
public sealed class RefundDuplicateChargeActivity(PartitionRouter router, IOptions<BookingOptions> options, IBookingOutbox outbox)
    : BookingActivity<PaymentSucceeded>
{
    protected override Task RunAsync(BehaviorContext<BookingState, PaymentSucceeded> context)
    {
        var m = context.Message;
        return outbox.SendAsync(context, Refunds.Of(context.Saga, m.PaymentIntentId, m.Amount, m.Currency, "duplicate charge for a hold already paid"),
            router.AddressOfEndpoint(options.Value.PaymentsQueue));
    }
}

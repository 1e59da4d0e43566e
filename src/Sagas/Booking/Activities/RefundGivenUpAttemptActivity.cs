using BookMyShow.Contracts.Payments;
using BookMyShow.Core.Bookings;
using BookMyShow.Core.Messaging;
using BookMyShow.Sagas.Booking.Ports;
using MassTransit;
using Microsoft.Extensions.Options;

namespace BookMyShow.Sagas.Booking.Activities;

/// <summary>
/// An attempt given up on (the provider could not be reached) took the money after all while another attempt is being
/// paid: that charge is given back and the attempt in flight decides the booking.
/// </summary>
public sealed class RefundGivenUpAttemptActivity(PartitionRouter router, IOptions<BookingOptions> options, IBookingOutbox outbox)
    : BookingActivity<PaymentSucceeded>
{
    protected override Task RunAsync(BehaviorContext<BookingState, PaymentSucceeded> context)
    {
        var m = context.Message;
        return outbox.SendAsync(context,
            Refunds.Of(context.Saga, m.PaymentIntentId, m.Amount, m.Currency, "charge of an attempt given up on while another was being paid"),
            router.AddressOfEndpoint(options.Value.PaymentsQueue));
    }
}

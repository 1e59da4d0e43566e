using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Payments;
using BookMyShow.Core.Bookings;
using BookMyShow.Core.Messaging;
using BookMyShow.Sagas.Booking.Ports;
using MassTransit;
using Microsoft.Extensions.Options;

namespace BookMyShow.Sagas.Booking.Activities;

/// <summary>Asks the payment worker to charge the hold's price with the confirmation's payment method.</summary>
public sealed class ChargePaymentActivity(PartitionRouter router, IOptions<BookingOptions> options, IBookingOutbox outbox)
    : BookingActivity<ConfirmBooking>
{
    protected override Task RunAsync(BehaviorContext<BookingState, ConfirmBooking> context)
    {
        var saga = context.Saga;
        return outbox.SendAsync(context, new ChargePayment
        {
            HoldId = saga.HoldId, ShowId = saga.ShowId, UserId = saga.UserId, AttemptId = context.Message.AttemptId,
            Amount = saga.Amount, Currency = saga.Currency, PaymentToken = context.Message.PaymentToken,
        }, router.AddressOfEndpoint(options.Value.PaymentsQueue));
    }
}

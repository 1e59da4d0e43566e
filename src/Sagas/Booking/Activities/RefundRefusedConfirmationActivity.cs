using BookMyShow.Contracts.Bookings;
using BookMyShow.Core.Bookings;
using BookMyShow.Core.Messaging;
using BookMyShow.Sagas.Booking.Ports;
using MassTransit;
using Microsoft.Extensions.Options;

namespace BookMyShow.Sagas.Booking.Activities;

/// <summary>
/// The partition refused to book the paid hold (it had ended, or the confirm deadline had passed): the saga keeps
/// why and gives the money back.
/// </summary>
public sealed class RefundRefusedConfirmationActivity(TimeProvider time, PartitionRouter router, IOptions<BookingOptions> options, IBookingOutbox outbox)
    : BookingActivity<SeatsConfirmRefused>
{
    protected override Task RunAsync(BehaviorContext<BookingState, SeatsConfirmRefused> context)
    {
        var saga = context.Saga;
        var m = context.Message;
        saga.PaymentIntentId = m.PaymentIntentId;
        saga.EndReason = m.HoldStatus;
        saga.UpdatedAt = time.GetUtcNow().UtcDateTime;
        return outbox.SendAsync(context,
            Refunds.Of(saga, m.PaymentIntentId, saga.Amount, saga.Currency, $"hold {m.HoldStatus.ToLowerInvariant()} before seats were confirmed"),
            router.AddressOfEndpoint(options.Value.PaymentsQueue));
    }
}

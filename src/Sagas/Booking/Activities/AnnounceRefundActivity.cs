using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Payments;
using BookMyShow.Core.Bookings;
using BookMyShow.Core.Outbox;
using BookMyShow.Core.Persistence;
using BookMyShow.Sagas.Booking.Ports;
using MassTransit;

namespace BookMyShow.Sagas.Booking.Activities;

/// <summary>Tells the user (e-mail, push) that a charge was given back.</summary>
public sealed class AnnounceRefundActivity(TimeProvider time, IBookingOutbox outbox) : BookingActivity<PaymentRefunded>
{
    protected override Task RunAsync(BehaviorContext<BookingState, PaymentRefunded> context)
    {
        var saga = context.Saga;
        var m = context.Message;
        var now = time.GetUtcNow().UtcDateTime;
        // The saga's own charge's refund; another charge's (a duplicate) does not stand for it.
        if (m.PaymentIntentId == saga.PaymentIntentId) saga.RefundId ??= m.RefundId;
        saga.UpdatedAt = now;
        var refunded = new BookingRefunded
        {
            HoldId = saga.HoldId,
            // A refund of a duplicate charge: the booking itself stands.
            BookingId = saga.CurrentState == BookingStates.Confirmed ? saga.BookingId : null,
            ShowId = saga.ShowId, UserId = saga.UserId, SeatIds = SeatList.Split(saga.SeatIds),
            Amount = m.Amount, Currency = m.Currency, PaymentIntentId = m.PaymentIntentId, RefundId = m.RefundId,
            RefundedAt = new DateTimeOffset(now, TimeSpan.Zero),
        };
        // Should this PaymentRefunded be handled again and reach this step, the copy has the same id (ADR 9).
        return outbox.PublishAsync(context, refunded, OutboxWriter.DerivedMessageId(context.MessageId ?? saga.CorrelationId, nameof(BookingRefunded)));
    }
}

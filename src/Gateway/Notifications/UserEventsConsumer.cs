using BookMyShow.Contracts.Bookings;
using BookMyShow.Core.Outbox;
using MassTransit;

namespace BookMyShow.Gateway.Notifications;

/// <summary>
/// Booking events, on this gateway's own fan-out queue, pushed to the owner's open connections here. A grant's
/// <c>booking.held</c> comes with its decision (<see cref="Admission.GatewayEventsConsumer"/>, ADR 0016).
/// </summary>
public sealed class UserEventsConsumer(UserEventHub hub, ILogger<UserEventsConsumer> logger) :
    IConsumer<BookingConfirmed>,
    IConsumer<BookingReleased>,
    IConsumer<BookingsExpired>,
    IConsumer<BookingRefunded>,
    IConsumer<HoldExpiring>
{
    public Task Consume(ConsumeContext<BookingConfirmed> context)
    {
        var m = context.Message;
        return Deliver(context, m.UserId, "booking.confirmed", m.HoldId, m.BookingId, m.ShowId, m.SeatIds, m.Amount, m.Currency, m.ConfirmedAt);
    }

    public Task Consume(ConsumeContext<BookingReleased> context)
    {
        var m = context.Message;
        return Deliver(context, m.UserId, "booking.released", m.HoldId, null, m.ShowId, m.SeatIds, m.Amount, m.Currency, m.ReleasedAt);
    }

    /// <summary>
    /// One <c>booking.expired</c> per hold of the expiry, each with an event id derived from the message's and the
    /// hold's, so that every gateway gives it the same id and a redelivery pushes none of them again.
    /// </summary>
    public Task Consume(ConsumeContext<BookingsExpired> context)
    {
        var m = context.Message;
        var messageId = context.MessageId ?? NewId.NextGuid();
        foreach (var b in m.Bookings)
        {
            if (!hub.IsListening(b.UserId)) continue; // nobody to tell here: not even an id to derive
            Deliver(OutboxWriter.DerivedMessageId(messageId, ExpiredPurpose + b.HoldId), b.UserId, "booking.expired", b.HoldId, null, b.ShowId, b.SeatIds,
                b.Amount, b.Currency, m.ExpiredAt);
        }
        return Task.CompletedTask;
    }

    /// <summary>The purpose an expired hold's event id is derived with (<see cref="OutboxWriter.DerivedMessageId"/>).</summary>
    public const string ExpiredPurpose = "booking.expired:";

    public Task Consume(ConsumeContext<BookingRefunded> context)
    {
        var m = context.Message;
        return Deliver(context, m.UserId, "booking.refunded", m.HoldId, m.BookingId, m.ShowId, m.SeatIds, m.Amount, m.Currency, m.RefundedAt, refundId: m.RefundId);
    }

    public Task Consume(ConsumeContext<HoldExpiring> context)
    {
        var m = context.Message;
        return Deliver(context, m.UserId, "hold.expiring", m.HoldId, null, m.ShowId, m.SeatIds, m.Amount, m.Currency, m.WarnedAt, expiresAt: m.ExpiresAt);
    }

    Task Deliver(ConsumeContext context, string userId, string type, string holdId, string? bookingId, string showId, IReadOnlyList<string> seats,
        decimal amount, string currency, DateTimeOffset occurredAt, DateTimeOffset? expiresAt = null, string? refundId = null)
    {
        // Without a message id there is nothing to recognise a redelivery by; our outbox always sets one.
        Deliver(context.MessageId ?? NewId.NextGuid(), userId, type, holdId, bookingId, showId, seats, amount, currency, occurredAt, expiresAt, refundId);
        return Task.CompletedTask;
    }

    void Deliver(Guid eventId, string userId, string type, string holdId, string? bookingId, string showId, IReadOnlyList<string> seats,
        decimal amount, string currency, DateTimeOffset occurredAt, DateTimeOffset? expiresAt = null, string? refundId = null)
    {
        var delivered = hub.Deliver(userId, new UserEventResponse
        {
            EventId = eventId, Type = type, HoldId = holdId, BookingId = bookingId, ShowId = showId, SeatIds = seats, Amount = amount,
            Currency = currency, ExpiresAt = expiresAt, RefundId = refundId, OccurredAt = occurredAt,
        });
        if (!delivered) logger.LogInformation("Event {MessageId} already pushed by this gateway; skipped", eventId);
    }
}

using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Outbox;
using BookMyShow.Gateway.Notifications;
using MassTransit;

namespace BookMyShow.Gateway.Admission;

/// <summary>
/// Receives every decision on this gateway's own queue, wakes whoever waits for it here, and pushes hold decisions to
/// the user's open <c>GET /v1/users/me/events</c> streams on this gateway.
/// </summary>
public sealed class GatewayEventsConsumer(OutcomeNotifier notifier, DrainRates rates, WaitingRequests waiting, UserEventHub hub) :
    IConsumer<HoldsDecided>,
    IConsumer<HoldReleased>,
    IConsumer<HoldReleaseRefused>,
    IConsumer<ConfirmationAnswered>
{
    public Task Consume(ConsumeContext<ConfirmationAnswered> context)
    {
        notifier.Signal(OutcomeNotifier.ForConfirmation(context.Message.HoldId, context.Message.AttemptId), context.Message);
        return Task.CompletedTask;
    }

    /// <summary>The purpose a grant's <c>booking.held</c> event id is derived with (<see cref="OutboxWriter.DerivedMessageId"/>).</summary>
    public const string BookingHeldEvent = "booking.held";

    /// <summary>
    /// A partition batch's decisions, in one event (ADR 0022). Each decision's event id is derived from the batch's and
    /// the request id, so it is the same on every gateway and redelivery.
    /// </summary>
    public Task Consume(ConsumeContext<HoldsDecided> context)
    {
        var batchId = context.MessageId ?? NewId.NextGuid();
        foreach (var placed in context.Message.Placed) Placed(placed, OutboxWriter.DerivedMessageId(batchId, placed.RequestId));
        foreach (var rejected in context.Message.Rejected) Rejected(rejected, OutboxWriter.DerivedMessageId(batchId, rejected.RequestId));
        return Task.CompletedTask;
    }

    /// <summary>
    /// A grant is one decision (ADR 0016): the request's answer (<c>hold_request.held</c>) and the start of the user's
    /// booking (<c>booking.held</c>, its event id derived from the decision's).
    /// </summary>
    void Placed(HoldPlaced m, Guid eventId)
    {
        hub.Deliver(m.UserId, new UserEventResponse
        {
            EventId = eventId, Type = "hold_request.held", RequestId = m.RequestId, Status = "HELD",
            HoldId = m.HoldId, ShowId = m.ShowId, SeatIds = m.SeatIds, Amount = m.TotalPrice, Currency = m.Currency, ExpiresAt = m.ExpiresAt,
            OccurredAt = m.DecidedAt,
        });
        hub.Deliver(m.UserId, new UserEventResponse
        {
            EventId = OutboxWriter.DerivedMessageId(eventId, BookingHeldEvent), Type = "booking.held", HoldId = m.HoldId, ShowId = m.ShowId,
            SeatIds = m.SeatIds, Amount = m.TotalPrice, Currency = m.Currency, ExpiresAt = m.ExpiresAt, OccurredAt = m.DecidedAt,
        });
        Decided(m.ShowId, m.RequestId, m);
    }

    void Rejected(HoldRejected rejected, Guid eventId)
    {
        hub.Deliver(rejected.UserId, new UserEventResponse
        {
            EventId = eventId, Type = "hold_request.rejected", RequestId = rejected.RequestId, Status = "REJECTED", ShowId = rejected.ShowId,
            SeatIds = rejected.SeatIds, Reason = rejected.Reason, UnavailableSeatIds = rejected.UnavailableSeatIds, OccurredAt = rejected.DecidedAt,
        });
        Decided(rejected.ShowId, rejected.RequestId, rejected);
    }

    /// <summary>A hold request was decided: counted for the drain rate, no longer waiting here, its waiters woken.</summary>
    void Decided(string showId, string requestId, object outcome)
    {
        rates.Record(showId);
        waiting.Decided(requestId); // before the signal: a stream that still found the entry is already watching
        notifier.Signal(OutcomeNotifier.ForRequest(requestId), outcome);
    }

    public Task Consume(ConsumeContext<HoldReleased> context)
    {
        if (context.Message.CommandId is { } commandId) notifier.Signal(OutcomeNotifier.ForRelease(commandId), context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<HoldReleaseRefused> context)
    {
        notifier.Signal(OutcomeNotifier.ForRelease(context.Message.CommandId), context.Message);
        return Task.CompletedTask;
    }
}

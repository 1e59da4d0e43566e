using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Holds;
using MassTransit;

namespace BookMyShow.Gateway.Admission;

/// <summary>Receives every decision on this gateway's own queue and wakes whoever waits for it here.</summary>
public sealed class GatewayEventsConsumer(OutcomeNotifier notifier, DrainRates rates, WaitingRequests waiting) :
    IConsumer<HoldPlaced>,
    IConsumer<HoldRejected>,
    IConsumer<HoldsRejected>,
    IConsumer<HoldReleased>,
    IConsumer<HoldReleaseRefused>,
    IConsumer<ConfirmationAnswered>
{
    public Task Consume(ConsumeContext<ConfirmationAnswered> context)
    {
        notifier.Signal(OutcomeNotifier.ForConfirmation(context.Message.HoldId, context.Message.AttemptId), context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<HoldPlaced> context)
    {
        rates.Record(context.Message.ShowId);
        waiting.Decided(context.Message.RequestId); // before the signal: a stream that still found the entry is already watching
        notifier.Signal(OutcomeNotifier.ForRequest(context.Message.RequestId), context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<HoldRejected> context)
    {
        Rejected(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<HoldsRejected> context)
    {
        foreach (var rejected in context.Message.Rejections) Rejected(rejected);
        return Task.CompletedTask;
    }

    void Rejected(HoldRejected rejected)
    {
        rates.Record(rejected.ShowId);
        waiting.Decided(rejected.RequestId); // before the signal: a stream that still found the entry is already watching
        notifier.Signal(OutcomeNotifier.ForRequest(rejected.RequestId), rejected);
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

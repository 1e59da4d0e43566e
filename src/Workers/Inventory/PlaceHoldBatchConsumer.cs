using BookMyShow.Contracts.Holds;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace BookMyShow.Workers.Inventory;

/// <summary>
/// Takes the hold requests waiting on a partition queue in batches (up to <c>Messaging:PartitionBatchSize</c>, in
/// arrival order) and decides each batch in one transaction (<see cref="HoldBatchDecisions"/>).
/// </summary>
public sealed class PlaceHoldBatchConsumer(HoldBatchDecisions decisions) : IConsumer<Batch<PlaceHold>>
{
    public Task Consume(ConsumeContext<Batch<PlaceHold>> context) =>
        decisions.DecideAsync(context.Message.Select(c => c.Message).ToList(), context.GetRetryAttempt(), context.CancellationToken);
}

/// <summary>A gateway's admission group for this partition (<see cref="PlaceHolds"/>), decided in one transaction.</summary>
public sealed class PlaceHoldsConsumer(HoldBatchDecisions decisions) : IConsumer<PlaceHolds>
{
    public Task Consume(ConsumeContext<PlaceHolds> context) =>
        decisions.DecideAsync(context.Message.Requests, context.GetRetryAttempt(), context.CancellationToken);
}

/// <summary>
/// Decides hold requests together, under their shows' locks. A batch that keeps failing (after the retries that wait
/// out a database outage) is split: each request is then decided on its own, and one that still fails is answered
/// PROCESSING_FAILED, so every 202 gets an answer.
/// </summary>
public sealed class HoldBatchDecisions(HoldDecider decider, ShowLocks locks, ILogger<HoldBatchDecisions> logger)
{
    public async Task DecideAsync(IReadOnlyList<PlaceHold> messages, int retryAttempt, CancellationToken ct)
    {
        if (messages.Count == 0) return;
        using var locked = await locks.LockAsync(messages.Select(m => m.ShowId), ct);
        try
        {
            await decider.DecideAsync(messages, ct);
        }
        catch (Exception ex) when (retryAttempt >= HoldDecider.RetriesBeforeGivingUp && ex is not OperationCanceledException)
        {
            logger.LogError(ex, "A batch of {Count} hold requests failed after retries; deciding them one by one", messages.Count);
            foreach (var m in messages)
            {
                try
                {
                    await decider.DecideAsync([m], ct);
                }
                catch (Exception one) when (one is not OperationCanceledException)
                {
                    logger.LogError(one, "Hold request {RequestId} failed on its own too; rejecting it", m.RequestId);
                    await decider.RejectAfterFailureAsync(m, ct);
                }
            }
        }
    }
}

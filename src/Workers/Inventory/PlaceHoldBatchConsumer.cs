using BookMyShow.Contracts.Holds;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace BookMyShow.Workers.Inventory;

/// <summary>
/// Takes the hold requests waiting on a partition queue in batches (up to <c>Messaging:PartitionBatchSize</c>, in
/// arrival order) and decides each batch in one transaction. A batch that keeps failing is split: each request is
/// then decided on its own, and one that still fails is answered PROCESSING_FAILED, so every 202 gets an answer.
/// </summary>
public sealed class PlaceHoldBatchConsumer(HoldDecider decider, ShowLocks locks, ILogger<PlaceHoldBatchConsumer> logger) : IConsumer<Batch<PlaceHold>>
{
    public async Task Consume(ConsumeContext<Batch<PlaceHold>> context)
    {
        var ct = context.CancellationToken;
        var messages = context.Message.Select(c => c.Message).ToList();
        using var locked = await locks.LockAsync(messages.Select(m => m.ShowId), ct);
        try
        {
            await decider.DecideAsync(messages, ct);
        }
        catch (Exception ex) when (context.GetRetryAttempt() >= HoldDecider.RetriesBeforeGivingUp && ex is not OperationCanceledException)
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

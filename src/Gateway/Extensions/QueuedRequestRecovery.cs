using BookMyShow.Core.Holds;
using BookMyShow.Core.Messaging;
using BookMyShow.Core.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace BookMyShow.Gateway.Extensions;

/// <summary>
/// The in-memory transport forgets its queues when the process dies. On start, the embedded mode hands every request
/// still QUEUED in the database back to its partition, in admission order, so each gets its one final answer.
/// The partition consumer skips any that were decided meanwhile.
/// </summary>
public sealed class QueuedRequestRecovery(
    IHostApplicationLifetime lifetime,
    IDbContextFactory<BookingDbContext> contexts,
    PartitionRouter router,
    IBus bus,
    ILogger<QueuedRequestRecovery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The bus and the partition endpoints must be running first.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        await using var db = await contexts.CreateDbContextAsync(stoppingToken);
        var queued = await db.HoldRequests.AsNoTracking()
            .Where(r => r.Status == RequestStatus.Queued)
            .OrderBy(r => r.Seq)
            .ToListAsync(stoppingToken);
        foreach (var request in queued)
        {
            await router.SendAsync(bus, request.ShowId, request.ToPlaceHold(), stoppingToken);
        }
        if (queued.Count > 0)
        {
            logger.LogWarning("Re-queued {Count} hold requests left undecided by the previous run", queued.Count);
        }
    }
}

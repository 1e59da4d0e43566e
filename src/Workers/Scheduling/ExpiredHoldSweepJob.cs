using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Holds;
using BookMyShow.Core.Messaging;
using BookMyShow.Core.Persistence;
using BookMyShow.Workers.Inventory;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace BookMyShow.Workers.Scheduling;

/// <summary>
/// Backstop for expiry: finds active holds past their expiry and asks each show's partition to expire them, in
/// batches. The partition, as the single writer of seat state, does the change; a repeated request is a no-op.
/// </summary>
[DisallowConcurrentExecution]
public sealed class ExpiredHoldSweepJob(
    IDbContextFactory<BookingDbContext> contexts,
    PartitionRouter router,
    ISendEndpointProvider sender,
    IOptions<HoldOptions> options,
    TimeProvider time,
    ILogger<ExpiredHoldSweepJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var due = await db.Holds.AsNoTracking()
            .DueToExpire(now)
            .Take(options.Value.SweepBatchSize)
            .Select(h => new { h.Id, h.ShowId })
            .ToListAsync(ct);
        foreach (var show in due.GroupBy(h => h.ShowId))
        {
            await router.SendAsync(sender, show.Key, new ExpireHolds { ShowId = show.Key, HoldIds = show.Select(h => h.Id).ToList() }, ct);
        }
        if (due.Count > 0)
        {
            logger.LogInformation("Expiry sweep asked partitions to expire {Count} holds", due.Count);
        }
    }
}

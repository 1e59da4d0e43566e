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
    ILogger<ExpiredHoldSweepJob> logger) : PartitionSweepJob<ExpireHolds>(contexts, router, sender, options, time)
{
    protected override async Task<(int Found, IEnumerable<(string ShowId, ExpireHolds Message)> Messages)> FindAsync(
        BookingDbContext db, DateTime now, CancellationToken ct)
    {
        var due = await db.Holds.AsNoTracking()
            .DueToExpire(now)
            .Take(Options.SweepBatchSize)
            .Select(h => new { h.Id, h.ShowId })
            .ToListAsync(ct);
        return (due.Count, due.GroupBy(h => h.ShowId)
            .Select(show => (show.Key, new ExpireHolds { ShowId = show.Key, HoldIds = show.Select(h => h.Id).ToList() })));
    }

    protected override void Report(int found) =>
        logger.LogInformation("Expiry sweep asked partitions to expire {Count} holds", found);
}

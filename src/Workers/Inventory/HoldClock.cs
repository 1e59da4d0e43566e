using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Holds;
using BookMyShow.Core.Messaging;
using BookMyShow.Core.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BookMyShow.Workers.Inventory;

/// <summary>
/// The backstop for the partitions' own clocks (ADR 0014, 0022): every <see cref="HoldOptions.BackstopInterval"/> it
/// reads which active holds are <see cref="HoldOptions.BackstopAfter"/> past due to expire (past expiry and any payment
/// grace) or to be warned, and asks their partitions to act: one <see cref="ExpireDueHolds"/> per partition for all its
/// shows, one <see cref="WarnExpiringHolds"/> per show. A partition ends and warns its holds on time from memory; what
/// this finds is what a partition that changed hands has not heard of yet (the message also wakes it). The hold rows are
/// the durable timers, so nothing is lost when a worker dies; a repeated message changes nothing. Holds asked about are
/// not asked about again for a few seconds, so a busy partition is not flooded with copies.
/// </summary>
public sealed class HoldClock(
    IDbContextFactory<BookingDbContext> contexts,
    PartitionRouter router,
    IBus bus,
    IOptions<HoldOptions> options,
    TimeProvider time,
    ILogger<HoldClock> logger) : BackgroundService
{
    /// <summary>Most holds in one message.</summary>
    public const int HoldsPerMessage = 1000;

    static readonly TimeSpan AskAgainAfter = TimeSpan.FromSeconds(5);

    readonly Dictionary<string, DateTime> _asked = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.BackstopInterval, time);
        var failing = false;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await TickAsync(stoppingToken);
                failing = false;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The database or the broker is away: the holds are still due at the next tick.
                if (!failing) logger.LogWarning(e, "Hold backstop clock tick failed; trying again every {Interval}", options.Value.BackstopInterval);
                failing = true;
            }
        }
    }

    /// <summary>One look at the clock: asks the partitions to expire and to warn what is overdue now.</summary>
    public async Task TickAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var (id, at) in _asked.ToList())
        {
            if (now - at >= AskAgainAfter) _asked.Remove(id);
        }
        var overdue = now - options.Value.BackstopAfter;
        var take = options.Value.SweepBatchSize;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var due = await db.Holds.AsNoTracking()
            .DueToExpire(overdue)
            .Take(take)
            .Select(h => new Due(h.Id, h.ShowId))
            .ToListAsync(ct);
        var warn = await db.Holds.AsNoTracking()
            .DueToWarn(overdue)
            .Take(take)
            .Select(h => new Due(h.Id, h.ShowId))
            .ToListAsync(ct);

        // Expiry: one message per partition for all its shows.
        await AskAsync(due, "expire", h => router.Partitioning.PartitionOf(h.ShowId),
            (partition, chunk) => router.SendToPartitionAsync(bus, partition,
                new ExpireDueHolds { ShowIds = [.. chunk.Select(h => h.ShowId).Distinct()], HoldIds = [.. chunk.Select(h => h.Id)] }, ct), now);
        await AskAsync(warn, "warn", h => h.ShowId,
            (show, chunk) => router.SendAsync(bus, show, new WarnExpiringHolds { ShowId = show, HoldIds = [.. chunk.Select(h => h.Id)] }, ct), now);
    }

    async Task AskAsync<TKey>(List<Due> holds, string kind, Func<Due, TKey> groupBy, Func<TKey, Due[], Task> send, DateTime now)
    {
        var fresh = holds.Where(h => !_asked.ContainsKey(kind + h.Id)).ToList();
        foreach (var group in fresh.GroupBy(groupBy))
        {
            foreach (var chunk in group.Chunk(HoldsPerMessage))
            {
                await send(group.Key, chunk);
                foreach (var h in chunk) _asked[kind + h.Id] = now;
            }
        }
        if (fresh.Count > 0) logger.LogInformation("Hold backstop clock asked partitions to {Kind} {Count} overdue holds", kind, fresh.Count);
    }

    sealed record Due(string Id, string ShowId);
}

/// <summary>The hold predicates the database is asked with (the ledger applies the same rules in memory).</summary>
public static class HoldQueries
{
    /// <summary>Active holds past their expiry and any payment grace as of <paramref name="at"/>, the longest overdue first.</summary>
    public static IQueryable<Hold> DueToExpire(this IQueryable<Hold> holds, DateTime at) => holds
        .Where(h => h.Status == HoldStatus.Active && h.ExpiresAt <= at && (h.PaymentGraceUntil == null || h.PaymentGraceUntil <= at))
        .OrderBy(h => h.ExpiresAt);

    /// <summary>Active holds due their warning as of <paramref name="at"/> (unwarned, unpaid, not yet expired), the earliest first.</summary>
    public static IQueryable<Hold> DueToWarn(this IQueryable<Hold> holds, DateTime at) => holds
        .Where(h => h.WarnAt != null && h.WarnAt <= at && h.Status == HoldStatus.Active && h.ExpiresAt > at && h.PaymentGraceUntil == null)
        .OrderBy(h => h.WarnAt);
}

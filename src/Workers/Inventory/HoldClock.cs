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
/// Time for holds (ADR 0014): every <see cref="HoldOptions.ClockInterval"/> it reads which active holds are due to
/// expire (past expiry and any payment grace) or to be warned (<see cref="Hold.WarnAt"/> passed, no payment in
/// flight), and asks the partitions to act: one <see cref="ExpireDueHolds"/> per partition for all its shows, one
/// <see cref="WarnExpiringHolds"/> per show. The hold rows are the durable timers, so nothing is lost when a worker
/// dies; the partition, as the single writer, checks again and does the change, and a repeated message changes
/// nothing. Holds asked about are not asked about again for a few seconds, so a busy partition is not flooded with
/// copies.
/// </summary>
public sealed class HoldClock(
    IDbContextFactory<BookingDbContext> contexts,
    PartitionRouter router,
    IBus bus,
    IOptions<HoldOptions> options,
    TimeProvider time,
    ILogger<HoldClock> logger) : BackgroundService
{
    /// <summary>Most holds in one message (the partition ends them in one transaction).</summary>
    public const int HoldsPerMessage = 1000;

    static readonly TimeSpan AskAgainAfter = TimeSpan.FromSeconds(5);

    readonly Dictionary<string, DateTime> _asked = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ClockInterval, time);
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
                if (!failing) logger.LogWarning(e, "Hold clock tick failed; trying again every {Interval}", options.Value.ClockInterval);
                failing = true;
            }
        }
    }

    /// <summary>One look at the clock: asks the partitions to expire and to warn what is due now.</summary>
    public async Task TickAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var (id, at) in _asked.ToList())
        {
            if (now - at >= AskAgainAfter) _asked.Remove(id);
        }
        var take = options.Value.SweepBatchSize;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var due = await db.Holds.AsNoTracking()
            .DueToExpire(now)
            .Take(take)
            .Select(h => new Due(h.Id, h.ShowId))
            .ToListAsync(ct);
        var warn = await db.Holds.AsNoTracking()
            .Where(h => h.WarnAt != null && h.WarnAt <= now && h.Status == HoldStatus.Active && h.ExpiresAt > now && h.PaymentGraceUntil == null)
            .OrderBy(h => h.WarnAt)
            .Take(take)
            .Select(h => new Due(h.Id, h.ShowId))
            .ToListAsync(ct);

        // Expiry: one message per partition for all its shows (one commit there per tick, however many shows).
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
        if (fresh.Count > 0) logger.LogDebug("Hold clock asked partitions to {Kind} {Count} holds", kind, fresh.Count);
    }

    sealed record Due(string Id, string ShowId);
}

public static class HoldQueries
{
    /// <summary>Active holds past their expiry and any payment grace, the longest overdue first (clock and sweep).</summary>
    public static IQueryable<Hold> DueToExpire(this IQueryable<Hold> holds, DateTime now) => holds
        .Where(h => h.Status == HoldStatus.Active && h.ExpiresAt <= now && (h.PaymentGraceUntil == null || h.PaymentGraceUntil <= now))
        .OrderBy(h => h.ExpiresAt);
}

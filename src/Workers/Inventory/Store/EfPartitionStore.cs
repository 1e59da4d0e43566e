using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Holds;
using BookMyShow.Core.Persistence;
using BookMyShow.Workers.Inventory.Ledger;
using Microsoft.EntityFrameworkCore;

namespace BookMyShow.Workers.Inventory.Store;

/// <summary>
/// What both stores read the same way, with EF Core (none of it is on the path of a decision: a show is read once, when
/// its partition first needs it, and the rest only for rare messages); the write is each database's own.
/// </summary>
public abstract class EfPartitionStore(IDbContextFactory<BookingDbContext> contexts, TimeProvider time) : IPartitionStore
{
    protected IDbContextFactory<BookingDbContext> Contexts => contexts;

    protected TimeProvider Time => time;

    public async Task<long> ActivateAsync(int partition, string owner, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        // One statement, so two consumers activating at once get two different epochs. On PostgreSQL the update waits
        // for a write still holding the row's share lock (a batch of the previous owner): what that batch wrote is then
        // committed before this owner reads any show.
        var epochs = await db.Database.SqlQuery<long>($"""
            INSERT INTO partition_epochs (partition, epoch, owner, activated_at) VALUES ({partition}, 1, {owner}, {now})
            ON CONFLICT (partition) DO UPDATE SET epoch = partition_epochs.epoch + 1, owner = excluded.owner, activated_at = excluded.activated_at
            RETURNING epoch AS "Value"
            """).ToListAsync(ct);
        return epochs.Single();
    }

    public async Task<ShowLedger?> LoadShowAsync(string showId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var show = await db.Shows.AsNoTracking().FirstOrDefaultAsync(s => s.Id == showId, ct);
        if (show is null) return null;
        var seats = await db.ShowSeats.AsNoTracking().Where(s => s.ShowId == showId).ToListAsync(ct);
        var holds = await db.Holds.AsNoTracking().Where(h => h.ShowId == showId && h.Status == HoldStatus.Active).ToListAsync(ct);
        return new ShowLedger(show, seats, holds);
    }

    public async Task<IReadOnlyList<HoldTimer>> LoadTimersAsync(Func<string, bool> isOurs, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var active = await db.Holds.AsNoTracking()
            .Where(h => h.Status == HoldStatus.Active)
            .Select(h => new { h.Id, h.ShowId, h.ExpiresAt, h.PaymentGraceUntil, h.WarnAt })
            .ToListAsync(ct);
        var timers = new List<HoldTimer>();
        foreach (var h in active.Where(h => isOurs(h.ShowId)))
        {
            var due = h.PaymentGraceUntil is { } grace && grace > h.ExpiresAt ? grace : h.ExpiresAt;
            timers.Add(new HoldTimer(h.Id, h.ShowId, due, IsWarning: false));
            if (h.WarnAt is { } warnAt && h.PaymentGraceUntil is null) timers.Add(new HoldTimer(h.Id, h.ShowId, warnAt, IsWarning: true));
        }
        return timers;
    }

    public async Task<IReadOnlyDictionary<string, object>> DecidedRequestsAsync(IReadOnlyCollection<string> requestIds, CancellationToken ct)
    {
        var decisions = new Dictionary<string, object>(StringComparer.Ordinal);
        if (requestIds.Count == 0) return decisions;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var ids = requestIds.Distinct().ToList();
        var decided = await db.HoldRequests.AsNoTracking().Where(r => ids.Contains(r.Id) && r.Status != RequestStatus.Queued).ToListAsync(ct);
        var holdIds = decided.Where(r => r.HoldId is not null).Select(r => r.HoldId!).ToList();
        var holds = holdIds.Count == 0 ? [] : await db.Holds.AsNoTracking().Where(h => holdIds.Contains(h.Id)).ToDictionaryAsync(h => h.Id, ct);
        foreach (var r in decided)
        {
            var at = new DateTimeOffset(r.DecidedAt ?? r.AdmittedAt, TimeSpan.Zero);
            decisions[r.Id] = r.Status == RequestStatus.Held && r.HoldId is { } holdId && holds.TryGetValue(holdId, out var hold)
                ? new HoldPlaced
                {
                    RequestId = r.Id, HoldId = hold.Id, ShowId = hold.ShowId, UserId = hold.UserId, SeatIds = SeatList.Split(hold.SeatIds),
                    ExpiresAt = new DateTimeOffset(hold.ExpiresAt, TimeSpan.Zero), TotalPrice = hold.TotalPrice, Currency = hold.Currency, DecidedAt = at,
                }
                : new HoldRejected
                {
                    RequestId = r.Id, ShowId = r.ShowId, UserId = r.UserId, SeatIds = SeatList.Split(r.SeatIds),
                    UnavailableSeatIds = SeatList.Split(r.UnavailableSeatIds), Reason = r.Reason ?? RejectionReasons.ProcessingFailed, DecidedAt = at,
                };
        }
        return decisions;
    }

    public async Task<Hold?> FindHoldAsync(string holdId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Holds.AsNoTracking().FirstOrDefaultAsync(h => h.Id == holdId, ct);
    }

    public async Task<ConfirmLookup> ConfirmLookupAsync(string holdId, string attemptId, bool holdKnown, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var request = await db.ConfirmRequests.AsNoTracking().FirstOrDefaultAsync(r => r.HoldId == holdId && r.AttemptId == attemptId, ct);
        if (holdKnown) return new ConfirmLookup(request, null, null);
        var hold = await db.Holds.AsNoTracking().FirstOrDefaultAsync(h => h.Id == holdId, ct);
        var booking = await db.Bookings.AsNoTracking().FirstOrDefaultAsync(b => b.HoldId == holdId, ct);
        return new ConfirmLookup(request, hold, booking);
    }

    public abstract Task CommitAsync(int partition, long epoch, PartitionChanges changes, IReadOnlyList<OutgoingMessage> outgoing, DateTime dispatchAfter,
        IReadOnlyCollection<Guid> sent, CancellationToken ct);

    public async Task DeleteSentAsync(IReadOnlyCollection<Guid> sent, CancellationToken ct)
    {
        if (sent.Count == 0) return;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var ids = sent.ToList();
        await db.Outbox.Where(o => ids.Contains(o.MessageId)).ExecuteDeleteAsync(ct);
    }
}

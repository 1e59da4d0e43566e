using BookMyShow.Core.Outbox;
using BookMyShow.Core.Persistence;
using BookMyShow.Workers.Inventory.Ledger;
using Microsoft.EntityFrameworkCore;

namespace BookMyShow.Workers.Inventory.Store;

/// <summary>
/// A partition batch on SQLite (the embedded mode): one local transaction, a statement per row (a local file has no
/// round trips to save). SQLite lets one writer in at a time, so the epoch read at the start of the transaction is
/// still the current one at its commit.
/// </summary>
public sealed class SqlitePartitionStore(IDbContextFactory<BookingDbContext> contexts, TimeProvider time) : EfPartitionStore(contexts, time)
{
    public override async Task CommitAsync(int partition, long epoch, PartitionChanges changes, IReadOnlyList<OutgoingMessage> outgoing, DateTime dispatchAfter,
        IReadOnlyCollection<Guid> sent, CancellationToken ct)
    {
        await using var db = await Contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var current = await db.PartitionEpochs.AsNoTracking().Where(p => p.Partition == partition).Select(p => (long?)p.Epoch).FirstOrDefaultAsync(ct);
        if (current != epoch) throw new PartitionFencedException(partition, epoch);

        foreach (var s in changes.Seats)
        {
            await db.ShowSeats.Where(x => x.ShowId == s.ShowId && x.SeatId == s.SeatId).ExecuteUpdateAsync(u => u
                .SetProperty(x => x.Status, s.Status).SetProperty(x => x.HoldId, s.HoldId).SetProperty(x => x.UserId, s.UserId)
                .SetProperty(x => x.ExpiresAt, s.ExpiresAt).SetProperty(x => x.BookingId, s.BookingId).SetProperty(x => x.Version, s.Version), ct);
        }
        foreach (var h in changes.ChangedHolds)
        {
            await db.Holds.Where(x => x.Id == h.Id).ExecuteUpdateAsync(u => u
                .SetProperty(x => x.Status, h.Status).SetProperty(x => x.EndedAt, h.EndedAt).SetProperty(x => x.PaymentGraceUntil, h.PaymentGraceUntil)
                .SetProperty(x => x.PaymentAttempted, h.PaymentAttempted).SetProperty(x => x.WarnAt, h.WarnAt).SetProperty(x => x.BookingId, h.BookingId), ct);
        }
        var ended = changes.EndedHoldIds.ToList();
        if (ended.Count > 0) await db.HoldSeats.Where(x => ended.Contains(x.HoldId) && x.Active).ExecuteUpdateAsync(u => u.SetProperty(x => x.Active, false), ct);
        foreach (var h in changes.NewHolds)
        {
            db.Holds.Add(Copy(h));
            foreach (var seat in SeatList.Split(h.SeatIds)) db.HoldSeats.Add(new HoldSeat { HoldId = h.Id, ShowId = h.ShowId, SeatId = seat, Active = h.Status == HoldStatus.Active });
        }
        await db.SaveChangesAsync(ct);

        foreach (var r in changes.Requests)
        {
            var updated = await db.HoldRequests.Where(x => x.Id == r.Id && x.Status == RequestStatus.Queued).ExecuteUpdateAsync(u => u
                .SetProperty(x => x.Status, r.Status).SetProperty(x => x.HoldId, r.HoldId).SetProperty(x => x.Reason, r.Reason)
                .SetProperty(x => x.UnavailableSeatIds, r.UnavailableSeatIds).SetProperty(x => x.DecidedAt, r.DecidedAt), ct);
            if (updated == 1) continue;
            if (await db.HoldRequests.AnyAsync(x => x.Id == r.Id, ct)) throw new RequestAlreadyDecidedException();
            // A replayed or directly sent command no gateway recorded: recorded here with its decision.
            db.HoldRequests.Add(new HoldRequest
            {
                Id = r.Id, ShowId = r.ShowId, UserId = r.UserId, SeatIds = r.SeatIds, Status = r.Status, HoldId = r.HoldId, Reason = r.Reason,
                UnavailableSeatIds = r.UnavailableSeatIds, AdmittedAt = r.AdmittedAt, DecidedAt = r.DecidedAt,
            });
        }
        foreach (var b in changes.Bookings) db.Bookings.Add(b);
        foreach (var a in changes.Answers)
        {
            await db.ConfirmRequests.Where(x => x.UserId == a.UserId && x.IdempotencyKey == a.IdempotencyKey && x.StatusCode == null).ExecuteUpdateAsync(u => u
                .SetProperty(x => x.StatusCode, a.StatusCode).SetProperty(x => x.ResponseBody, a.ResponseBody).SetProperty(x => x.AnsweredAt, changes.Now), ct);
        }
        foreach (var m in outgoing) db.Outbox.Add(OutboxWriter.Row(m.MessageId, m.Message, m.Type, m.Destination, changes.Now, dispatchAfter));
        if (sent.Count > 0)
        {
            var ids = sent.ToList();
            await db.Outbox.Where(o => ids.Contains(o.MessageId)).ExecuteDeleteAsync(ct);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>A copy for the context to track: the ledger keeps using its own object after this context is gone.</summary>
    static Hold Copy(Hold h) => new()
    {
        Id = h.Id, ShowId = h.ShowId, UserId = h.UserId, RequestId = h.RequestId, SeatIds = h.SeatIds, TotalPrice = h.TotalPrice, Currency = h.Currency,
        CreatedAt = h.CreatedAt, ExpiresAt = h.ExpiresAt, Status = h.Status, EndedAt = h.EndedAt, PaymentGraceUntil = h.PaymentGraceUntil,
        PaymentAttempted = h.PaymentAttempted, WarnAt = h.WarnAt, BookingId = h.BookingId,
    };
}

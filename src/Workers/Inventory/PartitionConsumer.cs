using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Bookings;
using BookMyShow.Core.Holds;
using BookMyShow.Core.Outbox;
using BookMyShow.Core.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BookMyShow.Workers.Inventory;

/// <summary>
/// The single writer of seat state for the shows of one partition, apart from hold requests (decided in batches by
/// <see cref="PlaceHoldBatchConsumer"/>): release, expiry, payment protection and confirmation. Each message is one
/// transaction that writes the seats, the hold and the outgoing messages, under its show's lock (<see cref="ShowLocks"/>).
/// Every handler is idempotent: a redelivered message finds its work done and changes nothing.
/// </summary>
public sealed class PartitionConsumer(
    ShowLocks locks,
    IDbContextFactory<BookingDbContext> contexts,
    OutboxSignal outbox,
    IOptions<BookingOptions> bookings,
    RecentlyEndedHolds ended,
    TimeProvider time,
    ILogger<PartitionConsumer> logger) :
    IConsumer<ReleaseHold>,
    IConsumer<ExpireHolds>,
    IConsumer<ExpireDueHolds>,
    IConsumer<WarnExpiringHolds>,
    IConsumer<ProtectHoldForPayment>,
    IConsumer<ConfirmSeats>
{
    public async Task Consume(ConsumeContext<ReleaseHold> context)
    {
        var m = context.Message;
        using var locked = await locks.LockAsync([m.ShowId], context.CancellationToken);
        var ct = context.CancellationToken;
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var hold = await db.Holds.AsNoTracking().FirstOrDefaultAsync(h => h.Id == m.HoldId, ct);
        if (hold is null || hold.UserId != m.UserId || hold.ShowId != m.ShowId)
        {
            db.Publish(new HoldReleaseRefused { CommandId = m.CommandId, HoldId = m.HoldId, ShowId = m.ShowId, HoldStatus = "NOT_FOUND" }, now);
        }
        else if (hold.Status == HoldStatus.Active && hold.EffectiveExpiry > now)
        {
            await EndHoldAsync(db, hold.Id, HoldStatus.Released, m.CommandId, now, ct);
        }
        else if (hold.Status == HoldStatus.Released)
        {
            // Releasing twice answers like the first time.
            db.Publish(new HoldReleased
            {
                HoldId = hold.Id, ShowId = hold.ShowId, UserId = hold.UserId, SeatIds = SeatList.Split(hold.SeatIds), CommandId = m.CommandId,
                ReleasedAt = new DateTimeOffset(hold.EndedAt ?? now, TimeSpan.Zero),
            }, now);
        }
        else
        {
            if (hold.Status == HoldStatus.Active)
            {
                await EndHoldAsync(db, hold.Id, HoldStatus.Expired, commandId: null, now, ct);
            }
            var status = hold.Status == HoldStatus.Active ? HoldStatus.Expired : hold.Status;
            db.Publish(new HoldReleaseRefused { CommandId = m.CommandId, HoldId = hold.Id, ShowId = hold.ShowId, HoldStatus = status }, now);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        outbox.Notify();
    }

    /// <summary>
    /// Expires the named holds once they are due, and with them every other hold of the show already due: holds
    /// created together expire together, so one transaction ends the whole burst and the later messages find
    /// nothing left to do.
    /// </summary>
    public Task Consume(ConsumeContext<ExpireHolds> context) =>
        ExpireDueAsync([context.Message.ShowId], context.Message.HoldIds, context.Message.IgnorePaymentGrace, context.CancellationToken);

    /// <summary>The clock's ask for several shows of the partition: their due holds, in one transaction.</summary>
    public Task Consume(ConsumeContext<ExpireDueHolds> context) =>
        ExpireDueAsync(context.Message.ShowIds, context.Message.HoldIds, ignoreGrace: false, context.CancellationToken);

    async Task ExpireDueAsync(IReadOnlyList<string> showIds, IReadOnlyList<string> named, bool ignoreGrace, CancellationToken ct)
    {
        if (showIds.Count == 0) return;
        using var locked = await locks.LockAsync(showIds, ct);
        if (ended.ContainsAll(named)) return; // ended already, with an earlier message of the same burst
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var shows = showIds.Distinct().ToList();
        var due = await db.Holds.AsNoTracking()
            .Where(h => shows.Contains(h.ShowId) && h.Status == HoldStatus.Active && h.ExpiresAt <= now
                        && (h.PaymentGraceUntil == null || h.PaymentGraceUntil <= now || (ignoreGrace && named.Contains(h.Id))))
            .OrderBy(h => h.ExpiresAt)
            .Select(h => new { h.Id, h.ShowId })
            .Take(1000)
            .ToListAsync(ct);
        if (due.Count == 0) return;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await EndHoldsAsync(db, [.. due.Select(h => h.Id)], HoldStatus.Expired, commandId: null, now, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        ended.AddRange(due.Select(h => h.Id));
        logger.LogInformation("Expired {Count} holds of {Shows} shows", due.Count, due.Select(h => h.ShowId).Distinct().Count());
        outbox.Notify();
    }

    /// <summary>
    /// Sends the hold-expiring warning for the named holds that are still active, unpaid (no payment in flight), not
    /// yet warned and within their warning time, and records that it went out, in one transaction: a repeated
    /// message finds them warned and sends nothing.
    /// </summary>
    public async Task Consume(ConsumeContext<WarnExpiringHolds> context)
    {
        var m = context.Message;
        using var locked = await locks.LockAsync([m.ShowId], context.CancellationToken);
        var ct = context.CancellationToken;
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var named = m.HoldIds;
        var holds = await db.Holds
            .Where(h => named.Contains(h.Id) && h.ShowId == m.ShowId && h.Status == HoldStatus.Active && h.WarnAt != null && h.WarnAt <= now
                        && h.ExpiresAt > now && h.PaymentGraceUntil == null)
            .ToListAsync(ct);
        if (holds.Count == 0) return;
        var warnedAt = new DateTimeOffset(now, TimeSpan.Zero);
        foreach (var hold in holds)
        {
            hold.WarnAt = null;
            db.Publish(new HoldExpiring
            {
                HoldId = hold.Id, ShowId = hold.ShowId, UserId = hold.UserId, SeatIds = SeatList.Split(hold.SeatIds),
                Amount = hold.TotalPrice, Currency = hold.Currency, ExpiresAt = new DateTimeOffset(hold.ExpiresAt, TimeSpan.Zero), WarnedAt = warnedAt,
            }, now);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        outbox.Notify();
    }

    /// <summary>
    /// Keeps an active hold's seats from being taken until the given time (a payment is in flight), or gives the
    /// grace back when the time is the hold's own expiry.
    /// </summary>
    public async Task Consume(ConsumeContext<ProtectHoldForPayment> context)
    {
        var m = context.Message;
        using var locked = await locks.LockAsync([m.ShowId], context.CancellationToken);
        var ct = context.CancellationToken;
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var hold = await db.Holds.FirstOrDefaultAsync(h => h.Id == m.HoldId && h.ShowId == m.ShowId, ct);
        if (hold is null || hold.Status != HoldStatus.Active || hold.EffectiveExpiry <= now) return;
        var until = m.Until.UtcDateTime;
        hold.PaymentAttempted = true;
        hold.PaymentGraceUntil = until > hold.ExpiresAt ? until : null;
        var seatsUntil = hold.EffectiveExpiry;
        await db.ShowSeats.Where(s => s.ShowId == hold.ShowId && s.HoldId == hold.Id && s.Status == SeatStatus.Held)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.ExpiresAt, seatsUntil).SetProperty(s => s.Version, s => s.Version + 1), ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// After payment: the hold's seats become CONFIRMED and the booking is written, with the confirm request's answer,
    /// in one transaction — only while the hold is active and within its time (grace included). Otherwise refused.
    /// </summary>
    public async Task Consume(ConsumeContext<ConfirmSeats> context)
    {
        var m = context.Message;
        using var locked = await locks.LockAsync([m.ShowId], context.CancellationToken);
        var ct = context.CancellationToken;
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var hold = await db.Holds.FirstOrDefaultAsync(h => h.Id == m.HoldId && h.ShowId == m.ShowId, ct);
        var existing = await db.Bookings.AsNoTracking().FirstOrDefaultAsync(b => b.HoldId == m.HoldId, ct);
        if (existing is not null)
        {
            // Redelivery: the booking is there; say so again.
            db.Publish(new SeatsConfirmed { HoldId = m.HoldId, ShowId = m.ShowId, BookingId = existing.Id, PaymentIntentId = existing.PaymentIntentId }, now);
        }
        else if (hold is { Status: HoldStatus.Active } && m.PaidAt is { } paidAt && now - paidAt.UtcDateTime > bookings.Value.ConfirmDeadline)
        {
            // Too long since the money was taken (the database was down): give the seats back; the saga refunds.
            await EndHoldAsync(db, hold.Id, HoldStatus.Released, commandId: null, now, ct, announce: false);
            db.Publish(new SeatsConfirmRefused { HoldId = m.HoldId, ShowId = m.ShowId, AttemptId = m.AttemptId, PaymentIntentId = m.PaymentIntentId, HoldStatus = SeatsRefusal.DeadlinePassed }, now);
        }
        else if (hold is null || hold.Status != HoldStatus.Active || hold.EffectiveExpiry <= now)
        {
            var status = hold is null ? "NOT_FOUND" : hold.Status == HoldStatus.Active ? HoldStatus.Expired : hold.Status;
            if (hold is { Status: HoldStatus.Active })
            {
                await EndHoldAsync(db, hold.Id, HoldStatus.Expired, commandId: null, now, ct, announce: false);
            }
            db.Publish(new SeatsConfirmRefused { HoldId = m.HoldId, ShowId = m.ShowId, AttemptId = m.AttemptId, PaymentIntentId = m.PaymentIntentId, HoldStatus = status }, now);
        }
        else
        {
            var seats = await db.ShowSeats.Where(s => s.ShowId == hold.ShowId && s.HoldId == hold.Id && s.Status == SeatStatus.Held).ToListAsync(ct);
            foreach (var seat in seats)
            {
                seat.Status = SeatStatus.Confirmed;
                seat.BookingId = m.BookingId;
                seat.ExpiresAt = null;
                seat.Version++;
            }
            await db.HoldSeats.Where(hs => hs.HoldId == hold.Id && hs.Active).ExecuteUpdateAsync(u => u.SetProperty(hs => hs.Active, false), ct);
            hold.Status = HoldStatus.Confirmed;
            hold.EndedAt = now;
            hold.BookingId = m.BookingId;
            var booking = new Booking
            {
                Id = m.BookingId, HoldId = hold.Id, ShowId = hold.ShowId, UserId = hold.UserId, SeatIds = hold.SeatIds,
                PaymentIntentId = m.PaymentIntentId, TotalAmount = m.Amount, Currency = m.Currency, Status = BookingStatus.Confirmed, CreatedAt = now,
            };
            db.Bookings.Add(booking);
            await ConfirmAnswers.AnswerAsync(db, hold.Id, m.AttemptId, 200, ConfirmAnswers.Confirmed(booking), now, ct);
            db.Publish(new SeatsConfirmed { HoldId = hold.Id, ShowId = hold.ShowId, BookingId = booking.Id, PaymentIntentId = m.PaymentIntentId }, now);
            db.Publish(new BookingConfirmed
            {
                BookingId = booking.Id, HoldId = hold.Id, ShowId = hold.ShowId, UserId = hold.UserId, SeatIds = SeatList.Split(hold.SeatIds),
                Amount = m.Amount, Currency = m.Currency, PaymentIntentId = m.PaymentIntentId, ConfirmedAt = new DateTimeOffset(now, TimeSpan.Zero),
            }, now);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        outbox.Notify();
    }

    /// <summary>Ends an active hold: its seats become AVAILABLE, its seat claims inactive, and an event is written.</summary>
    internal static Task EndHoldAsync(BookingDbContext db, string holdId, string endStatus, string? commandId, DateTime now, CancellationToken ct, bool announce = true) =>
        EndHoldsAsync(db, [holdId], endStatus, commandId, now, ct, announce);

    /// <summary>
    /// Ends active holds in bulk, of one show or several: a few set-based statements whatever their number (the holds,
    /// their seats and their seat claims each with one statement). With <paramref name="announce"/> the users' booking
    /// events go out too (a <see cref="BookingReleased"/> per hold, one <see cref="BookingsExpired"/> for all the expired
    /// ones); a confirmation refused after payment does not announce: the saga refunds and says so (ADR 0015).
    /// Seats or holds the context already tracks (a decision batch's seats) are brought in line with what was written.
    /// </summary>
    internal static async Task EndHoldsAsync(BookingDbContext db, List<string> holdIds, string endStatus, string? commandId, DateTime now, CancellationToken ct,
        bool announce = true)
    {
        // By id alone, and the status looked at here: after a burst of new holds the table's statistics lag (autovacuum
        // has not analysed it yet), and a status condition in the statement led the planner to scan every active hold's
        // index entry (0.7-2 ms a statement in the expiry storm, against 0.1 ms) instead of looking the few ids up.
        var holds = (await db.Holds.AsNoTracking().Where(h => holdIds.Contains(h.Id)).ToListAsync(ct)).Where(h => h.Status == HoldStatus.Active).ToList();
        if (holds.Count == 0) return;
        var ids = holds.Select(h => h.Id).ToList();
        var shows = holds.Select(h => h.ShowId).Distinct().ToList();
        // Under the shows' locks nothing else writes these rows (this partition is their only writer), so no version
        // check: every seat still held by one of the holds is freed, and its version moves on like a tracked update's would.
        await db.ShowSeats.Where(s => shows.Contains(s.ShowId) && s.Status == SeatStatus.Held && s.HoldId != null && ids.Contains(s.HoldId))
            .ExecuteUpdateAsync(u => u
                .SetProperty(s => s.Status, SeatStatus.Available)
                .SetProperty(s => s.HoldId, (string?)null)
                .SetProperty(s => s.UserId, (string?)null)
                .SetProperty(s => s.ExpiresAt, (DateTime?)null)
                .SetProperty(s => s.Version, s => s.Version + 1), ct);
        await db.HoldSeats.Where(hs => ids.Contains(hs.HoldId) && hs.Active).ExecuteUpdateAsync(u => u.SetProperty(hs => hs.Active, false), ct);
        await db.Holds.Where(h => ids.Contains(h.Id)) // active: read above, and only this partition writes holds
            .ExecuteUpdateAsync(u => u.SetProperty(h => h.Status, endStatus).SetProperty(h => h.EndedAt, (DateTime?)now), ct);
        AlignTracked(db, [.. ids], endStatus, now);

        var expired = new List<ExpiredBooking>(); // one event for the whole expiry, whatever the shows (ADR 0017)
        foreach (var hold in holds)
        {
            var seatIds = SeatList.Split(hold.SeatIds);
            if (endStatus == HoldStatus.Released)
            {
                db.Publish(new HoldReleased
                {
                    HoldId = hold.Id, ShowId = hold.ShowId, UserId = hold.UserId, SeatIds = seatIds, CommandId = commandId,
                    ReleasedAt = new DateTimeOffset(now, TimeSpan.Zero),
                }, now);
                if (announce)
                {
                    db.Publish(new BookingReleased
                    {
                        HoldId = hold.Id, ShowId = hold.ShowId, UserId = hold.UserId, SeatIds = seatIds, Amount = hold.TotalPrice, Currency = hold.Currency,
                        ReleasedAt = new DateTimeOffset(now, TimeSpan.Zero),
                    }, now);
                }
            }
            else
            {
                // Only the booking saga listens, and a hold has one only once someone tried to pay (ADR 15). A payment
                // that starts as the hold expires is still safe without it: the partition refuses to confirm the
                // expired hold and the saga refunds.
                if (hold.PaymentAttempted)
                {
                    db.Publish(new HoldExpired
                    {
                        HoldId = hold.Id, ShowId = hold.ShowId, UserId = hold.UserId, SeatIds = seatIds,
                        ExpiresAt = new DateTimeOffset(hold.ExpiresAt, TimeSpan.Zero), ExpiredAt = new DateTimeOffset(now, TimeSpan.Zero),
                    }, now);
                }
                if (announce)
                {
                    expired.Add(new ExpiredBooking { ShowId = hold.ShowId, HoldId = hold.Id, UserId = hold.UserId, SeatIds = seatIds, Amount = hold.TotalPrice, Currency = hold.Currency });
                }
            }
        }
        if (expired.Count > 0) db.Publish(new BookingsExpired { ExpiredAt = new DateTimeOffset(now, TimeSpan.Zero), Bookings = expired }, now);
    }

    /// <summary>
    /// Makes the tracked copies of what <see cref="EndHoldsAsync"/> wrote with set-based statements read as the database
    /// does now, and as unchanged: a later grant of such a seat in the same batch then updates it from the version the
    /// ending gave it, instead of failing its version check or writing the old hold back.
    /// </summary>
    static void AlignTracked(BookingDbContext db, HashSet<string> ended, string endStatus, DateTime now)
    {
        db.ChangeTracker.DetectChanges();
        foreach (var entry in db.ChangeTracker.Entries<ShowSeat>())
        {
            var seat = entry.Entity;
            if (seat.Status != SeatStatus.Held || seat.HoldId is null || !ended.Contains(seat.HoldId)) continue;
            seat.Status = SeatStatus.Available;
            seat.HoldId = null;
            seat.UserId = null;
            seat.ExpiresAt = null;
            seat.Version++;
            entry.OriginalValues.SetValues(entry.CurrentValues);
            entry.State = EntityState.Unchanged;
        }
        foreach (var entry in db.ChangeTracker.Entries<Hold>())
        {
            var hold = entry.Entity;
            if (hold.Status != HoldStatus.Active || !ended.Contains(hold.Id)) continue;
            hold.Status = endStatus;
            hold.EndedAt = now;
            entry.OriginalValues.SetValues(entry.CurrentValues);
            entry.State = EntityState.Unchanged;
        }
    }
}

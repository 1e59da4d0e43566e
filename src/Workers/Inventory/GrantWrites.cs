using BookMyShow.Core.Holds;
using BookMyShow.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BookMyShow.Workers.Inventory;

/// <summary>
/// A decision batch's grants on PostgreSQL, written at the end with one statement: the seats (each only if its version is
/// still the one the batch read), the holds and their seat claims. The change tracker wrote a statement per seat, claim
/// and hold, and most of a grant's cost in the worker was building, binding and parsing them.
/// </summary>
public sealed class GrantWrites
{
    sealed record SeatGrant(string ShowId, string SeatId, string HoldId, string UserId, DateTime ExpiresAt, long ReadVersion);

    readonly List<SeatGrant> _seats = [];

    public List<Hold> Holds { get; } = [];

    /// <summary>Records the grant of a seat, before the batch's copy of it changes: the version read is the one to check.</summary>
    public void Seat(ShowSeat seat, string holdId, string userId, DateTime expiresAt) =>
        _seats.Add(new SeatGrant(seat.ShowId, seat.SeatId, holdId, userId, expiresAt, seat.Version));

    /// <summary>
    /// Brings the batch's untracked copies of seats in line after <see cref="PartitionConsumer.EndHoldsAsync"/> freed the
    /// named holds' seats in the database (and moved their versions on by one).
    /// </summary>
    public static void Freed(IEnumerable<ShowSeat> seats, IReadOnlyCollection<string> endedHoldIds)
    {
        foreach (var seat in seats)
        {
            if (seat.Status != SeatStatus.Held || seat.HoldId is null || !endedHoldIds.Contains(seat.HoldId)) continue;
            seat.Status = SeatStatus.Available;
            seat.HoldId = null;
            seat.UserId = null;
            seat.ExpiresAt = null;
            seat.Version++;
        }
    }

    /// <summary>
    /// Writes the grants. A seat whose version moved since the batch read it (nothing else should write it: the partition
    /// holds the show's lock) fails the batch, which is then retried from a fresh read; the unique index of active
    /// claims refuses a second active hold on a seat whatever happens here.
    /// </summary>
    public async Task WriteAsync(BookingDbContext db, CancellationToken ct)
    {
        if (_seats.Count == 0) return;
        var seatShows = _seats.Select(s => s.ShowId).ToArray();
        var seatIds = _seats.Select(s => s.SeatId).ToArray();
        var seatHolds = _seats.Select(s => s.HoldId).ToArray();
        var seatUsers = _seats.Select(s => s.UserId).ToArray();
        var seatExpiries = _seats.Select(s => Utc(s.ExpiresAt)).ToArray();
        var seatVersions = _seats.Select(s => s.ReadVersion).ToArray();
        var ids = Holds.Select(h => h.Id).ToArray();
        var shows = Holds.Select(h => h.ShowId).ToArray();
        var users = Holds.Select(h => h.UserId).ToArray();
        var requests = Holds.Select(h => h.RequestId).ToArray();
        var holdSeats = Holds.Select(h => h.SeatIds).ToArray();
        var totals = Holds.Select(h => h.TotalPrice).ToArray();
        var currencies = Holds.Select(h => h.Currency).ToArray();
        var created = Holds.Select(h => Utc(h.CreatedAt)).ToArray();
        var expires = Holds.Select(h => Utc(h.ExpiresAt)).ToArray();
        var warns = Holds.Select(h => h.WarnAt is { } w ? Utc(w) : (DateTime?)null).ToArray();
        // Data-modifying CTEs all run to completion whether or not the final SELECT reads them: one round trip.
        // ToList, not Single: a data-modifying WITH must stay at the top level, and Single would wrap it in a subquery.
        var counted = await db.Database.SqlQuery<int>($"""
            WITH seats AS (
                UPDATE show_seats AS s
                SET status = {SeatStatus.Held}, hold_id = x.h, user_id = x.u, expires_at = x.e, version = s.version + 1
                FROM unnest({seatShows}, {seatIds}, {seatHolds}, {seatUsers}, {seatExpiries}, {seatVersions}) AS x(sh, se, h, u, e, v)
                WHERE s.show_id = x.sh AND s.seat_id = x.se AND s.version = x.v
                RETURNING 1
            ),
            holds AS (
                INSERT INTO holds (id, show_id, user_id, request_id, seat_ids, total_price, currency, created_at, expires_at, status, payment_attempted, warn_at)
                SELECT i, sh, u, r, t, p, c, cr, e, {HoldStatus.Active}, false, w
                FROM unnest({ids}, {shows}, {users}, {requests}, {holdSeats}, {totals}, {currencies}, {created}, {expires}, {warns}) AS x(i, sh, u, r, t, p, c, cr, e, w)
            ),
            claims AS (
                INSERT INTO hold_seats (hold_id, seat_id, show_id, active)
                SELECT h, se, sh, true FROM unnest({seatHolds}, {seatIds}, {seatShows}) AS x(h, se, sh)
            )
            SELECT count(*)::int AS "Value" FROM seats
            """).ToListAsync(ct);
        var updated = counted.Single();
        if (updated != _seats.Count)
        {
            throw new DbUpdateConcurrencyException($"{_seats.Count - updated} of {_seats.Count} granted seats changed since the batch read them; the batch is retried.");
        }
    }

    static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}

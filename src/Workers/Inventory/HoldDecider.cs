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
/// Decides hold requests, in arrival order, all or nothing, several in one transaction: the seats, holds, requests'
/// results and outgoing events of the whole batch commit together (one commit instead of one per request is what
/// lets a partition keep up with an on-sale). A redelivered request finds its decision made and changes nothing.
/// The caller holds the shows' locks (<see cref="ShowLocks"/>).
/// </summary>
public sealed class HoldDecider(
    IDbContextFactory<BookingDbContext> contexts,
    OutboxSignal outbox,
    IOptions<HoldOptions> options,
    IOptions<BookingOptions> bookings,
    TimeProvider time,
    ILogger<HoldDecider> logger)
{
    public const string RejectedSeatsUnavailable = "SEATS_UNAVAILABLE";
    public const string RejectedShowUnavailable = "SHOW_NOT_ON_SALE";
    public const string RejectedProcessingFailed = "PROCESSING_FAILED";

    /// <summary>Retries (about 4 minutes: a database outage is waited out) before a request is answered PROCESSING_FAILED.</summary>
    public const int RetriesBeforeGivingUp = 12;

    public async Task DecideAsync(IReadOnlyList<PlaceHold> messages, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);

        var requestIds = messages.Select(m => m.RequestId).Distinct().ToList();
        // On PostgreSQL the batch's decisions are written with one UPDATE at the end (an on-sale batch is hundreds of
        // requests, and one statement per request was most of the batch's cost); elsewhere the change tracker writes them.
        var bulk = db.IsPostgres;
        var query = db.HoldRequests.Where(r => requestIds.Contains(r.Id));
        var requests = await (bulk ? query.AsNoTracking() : query).ToDictionaryAsync(r => r.Id, ct);
        var decidedRows = new List<HoldRequest>();
        var showIds = messages.Select(m => m.ShowId).Distinct().ToList();
        var shows = await db.Shows.AsNoTracking().Where(s => showIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);
        // Every seat the batch asks for, tracked: a grant changes them in memory, so later requests see it.
        var seats = new Dictionary<string, Dictionary<string, ShowSeat>>();
        foreach (var show in messages.GroupBy(m => m.ShowId))
        {
            var wanted = show.SelectMany(m => m.SeatIds).Distinct().ToList();
            seats[show.Key] = await db.ShowSeats.Where(s => s.ShowId == show.Key && wanted.Contains(s.SeatId)).ToDictionaryAsync(s => s.SeatId, ct);
        }

        var decided = 0;
        var rejections = new List<HoldRejected>();
        foreach (var m in messages)
        {
            if (!requests.TryGetValue(m.RequestId, out var request))
            {
                // A replayed or directly sent command: record it so its outcome can be read.
                request = new HoldRequest
                {
                    Id = m.RequestId, ShowId = m.ShowId, UserId = m.UserId, SeatIds = SeatList.Join(m.SeatIds),
                    Status = RequestStatus.Queued, AdmittedAt = m.AdmittedAt.UtcDateTime,
                };
                db.HoldRequests.Add(request);
                requests[m.RequestId] = request;
            }
            else if (request.Status != RequestStatus.Queued)
            {
                logger.LogDebug("Hold request {RequestId} already decided ({Status}); redelivery ignored", m.RequestId, request.Status);
                continue;
            }
            else if (bulk)
            {
                decidedRows.Add(request);
            }
            decided++;

            if (!shows.TryGetValue(m.ShowId, out var show) || show.StartsAt <= now)
            {
                rejections.Add(Reject(request, m, RejectedShowUnavailable, m.SeatIds, now));
                continue;
            }
            var requested = m.SeatIds.Distinct().ToList();
            var showSeats = seats[m.ShowId];
            var decision = HoldRules.Decide(requested, showSeats, now);
            if (!decision.Granted)
            {
                rejections.Add(Reject(request, m, RejectedSeatsUnavailable, decision.UnavailableSeatIds, now));
                continue;
            }
            if (decision.LapsedHoldIds.Count > 0)
            {
                await PartitionConsumer.EndHoldsAsync(db, [.. decision.LapsedHoldIds], HoldStatus.Expired, commandId: null, now, ct);
                // The lapsed holds' seat claims are gone before the new ones are written (one active hold per seat).
                await db.SaveChangesAsync(ct);
            }
            Grant(db, request, show, requested, showSeats, now);
        }

        if (decided == 0) return;
        PublishRejections(db, rejections, now);
        await SaveDecisionsAsync(db, decidedRows, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        outbox.Notify();
    }

    void Grant(BookingDbContext db, HoldRequest request, Show show, List<string> seatIds, Dictionary<string, ShowSeat> seats, DateTime now)
    {
        var holdId = "h_" + NewId.NextGuid().ToString("N");
        var expiresAt = now + options.Value.Ttl;
        // The hold-expiring warning, if the hold lasts longer than the warning comes before its end (ADR 0014).
        var warnAt = expiresAt - bookings.Value.ExpiringWarningBefore;
        var total = seatIds.Sum(id => seats[id].Price);
        foreach (var id in seatIds)
        {
            var seat = seats[id];
            seat.Status = SeatStatus.Held;
            seat.HoldId = holdId;
            seat.UserId = request.UserId;
            seat.ExpiresAt = expiresAt;
            seat.Version++;
            db.HoldSeats.Add(new HoldSeat { HoldId = holdId, ShowId = show.Id, SeatId = id, Active = true });
        }
        db.Holds.Add(new Hold
        {
            Id = holdId, ShowId = show.Id, UserId = request.UserId, RequestId = request.Id, SeatIds = SeatList.Join(seatIds),
            TotalPrice = total, Currency = show.Currency, CreatedAt = now, ExpiresAt = expiresAt, Status = HoldStatus.Active,
            WarnAt = warnAt > now ? warnAt : null,
        });
        request.Status = RequestStatus.Held;
        request.HoldId = holdId;
        request.DecidedAt = now;
        // The grant's one event: the request's decision and the start of the user's booking (ADR 0016).
        db.Publish(new HoldPlaced
        {
            RequestId = request.Id, HoldId = holdId, ShowId = show.Id, UserId = request.UserId, SeatIds = seatIds,
            ExpiresAt = new DateTimeOffset(expiresAt, TimeSpan.Zero), TotalPrice = total, Currency = show.Currency,
            DecidedAt = new DateTimeOffset(now, TimeSpan.Zero),
        }, now);
    }

    /// <summary>
    /// Writes the decisions of requests read untracked (PostgreSQL): one <c>UPDATE … FROM unnest(…)</c> for the batch.
    /// Like the change tracker's updates it overwrites the row whatever happened to it meanwhile, so the request always
    /// says what the partition did (a gateway that gave up on a send it thought failed may have marked it rejected).
    /// </summary>
    static async Task SaveDecisionsAsync(BookingDbContext db, List<HoldRequest> decided, CancellationToken ct)
    {
        if (decided.Count == 0) return;
        var ids = decided.Select(r => r.Id).ToArray();
        var statuses = decided.Select(r => r.Status).ToArray();
        var holdIds = decided.Select(r => r.HoldId).ToArray();
        var reasons = decided.Select(r => r.Reason).ToArray();
        var unavailable = decided.Select(r => r.UnavailableSeatIds).ToArray();
        var decidedAt = decided.Select(r => DateTime.SpecifyKind(r.DecidedAt!.Value, DateTimeKind.Utc)).ToArray();
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            UPDATE hold_requests AS r
            SET status = x.s, hold_id = x.h, reason = x.why, unavailable_seat_ids = x.u, decided_at = x.d
            FROM unnest({ids}, {statuses}, {holdIds}, {reasons}, {unavailable}, {decidedAt}) AS x(i, s, h, why, u, d)
            WHERE r.id = x.i
            """, ct);
    }

    /// <summary>Records the rejection on the request and returns its event (published with the batch's others).</summary>
    static HoldRejected Reject(HoldRequest request, PlaceHold m, string reason, IReadOnlyList<string> unavailable, DateTime now)
    {
        request.Status = RequestStatus.Rejected;
        request.Reason = reason;
        request.UnavailableSeatIds = SeatList.Join(unavailable);
        request.DecidedAt = now;
        return new HoldRejected
        {
            RequestId = request.Id, ShowId = m.ShowId, UserId = m.UserId, SeatIds = m.SeatIds, UnavailableSeatIds = unavailable,
            Reason = reason, DecidedAt = new DateTimeOffset(now, TimeSpan.Zero),
        };
    }

    /// <summary>One event for the batch's rejections (<see cref="HoldsRejected"/>); a lone rejection as itself.</summary>
    static void PublishRejections(BookingDbContext db, List<HoldRejected> rejections, DateTime now)
    {
        if (rejections.Count == 1) db.Publish(rejections[0], now);
        else if (rejections.Count > 1) db.Publish(new HoldsRejected { Rejections = rejections }, now);
    }

    /// <summary>The request could not be decided (retries exhausted): it still gets its one final answer.</summary>
    public async Task RejectAfterFailureAsync(PlaceHold m, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var request = await db.HoldRequests.FirstOrDefaultAsync(r => r.Id == m.RequestId, ct);
        if (request is null || request.Status != RequestStatus.Queued) return;
        db.Publish(Reject(request, m, RejectedProcessingFailed, [], now), now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        outbox.Notify();
    }
}

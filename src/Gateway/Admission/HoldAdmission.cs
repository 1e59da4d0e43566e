using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Holds;
using BookMyShow.Core.Messaging;
using BookMyShow.Core.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace BookMyShow.Gateway.Admission;

public enum AdmissionOutcome
{
    Admitted,
    Replayed,
    IdempotencyKeyReused,
    BrokerUnavailable,
}

public sealed record AdmissionResult(AdmissionOutcome Outcome, HoldRequest? Request, int Position);

/// <summary>
/// Admits a validated hold request: records it as QUEUED, then hands PlaceHold to the show's partition and waits for
/// the broker's confirm. Only then is the request durable and may be answered 202. Requests without an
/// Idempotency-Key are admitted in groups (<see cref="AdmissionBatcher"/>).
/// </summary>
public sealed class HoldAdmission(
    BookingDbContext db, PartitionRouter router, ISendEndpointProvider sender, AdmissionBatcher batcher, WaitingRequests waiting, TimeProvider time,
    ILogger<HoldAdmission> logger)
{
    /// <summary>Requests recorded but never handed to the broker are answered now (ADMISSION_FAILED), so nobody waits for a decision that will never come.</summary>
    internal static Task RejectNotAdmittedAsync(BookingDbContext db, IReadOnlyCollection<string> requestIds, DateTime now) =>
        db.HoldRequests.Where(r => requestIds.Contains(r.Id) && r.Status == RequestStatus.Queued)
            .ExecuteUpdateAsync(u => u
                .SetProperty(r => r.Status, RequestStatus.Rejected)
                .SetProperty(r => r.Reason, RejectionReasons.AdmissionFailed)
                .SetProperty(r => r.DecidedAt, now), CancellationToken.None);

    public static string NewRequestId() => "r_" + NewId.NextGuid().ToString("N");

    public async Task<AdmissionResult> AdmitAsync(string requestId, string showId, string userId, SeatAsk ask, string? idempotencyKey, CancellationToken ct)
    {
        // Without a key there is nothing to look up or collide on: the request joins the next group commit.
        if (idempotencyKey is null) return await batcher.AdmitAsync(requestId, showId, userId, ask);

        var seats = SeatList.Join(ask.SeatIds);
        var best = BestAvailableText.Format(ask.BestAvailable);
        var existing = await FindByKeyAsync(userId, idempotencyKey, ct);
        if (existing is not null) return Replay(existing, showId, seats, best);

        var now = time.GetUtcNow();
        var request = new HoldRequest
        {
            Id = requestId,
            ShowId = showId,
            UserId = userId,
            SeatIds = seats,
            BestAvailable = best,
            IdempotencyKey = idempotencyKey,
            Status = RequestStatus.Queued,
            AdmittedAt = now.UtcDateTime,
        };
        db.HoldRequests.Add(request);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same key arrived twice at once and the other insert won.
            db.ChangeTracker.Clear();
            var winner = await FindByKeyAsync(userId, idempotencyKey, ct);
            if (winner is null) throw;
            return Replay(winner, showId, seats, best);
        }

        var position = await HoldRequestViews.PositionAsync(db, showId, request.Seq, ct);
        waiting.Admitted(request); // before the broker has it, so its decision event cannot arrive first
        try
        {
            await router.SendAsync(sender, showId, request.ToPlaceHold(), ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogError(ex, "Could not hand hold request {RequestId} to the broker", request.Id);
            waiting.Decided(request.Id);
            await RejectNotAdmittedAsync(db, [request.Id], time.GetUtcNow().UtcDateTime);
            return new AdmissionResult(AdmissionOutcome.BrokerUnavailable, request, 0);
        }
        return new AdmissionResult(AdmissionOutcome.Admitted, request, position);
    }

    Task<HoldRequest?> FindByKeyAsync(string userId, string key, CancellationToken ct) =>
        db.HoldRequests.AsNoTracking().FirstOrDefaultAsync(r => r.UserId == userId && r.IdempotencyKey == key, ct);

    static AdmissionResult Replay(HoldRequest existing, string showId, string seats, string? best) =>
        existing.ShowId == showId && existing.SeatIds == seats && existing.BestAvailable == best
            ? new AdmissionResult(AdmissionOutcome.Replayed, existing, 0)
            : new AdmissionResult(AdmissionOutcome.IdempotencyKeyReused, existing, 0);
}

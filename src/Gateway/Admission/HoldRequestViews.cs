using BookMyShow.Core.Holds;
using BookMyShow.Core.Persistence;
using BookMyShow.Gateway.Apis;
using Microsoft.EntityFrameworkCore;

namespace BookMyShow.Gateway.Admission;

/// <summary>Reads hold requests and holds for their owner and works out queue positions.</summary>
public sealed class HoldRequestViews(DrainRates rates, QueuePositions positions, WaitingRequests waiting, TimeProvider time)
{
    /// <summary>Requests of the same show admitted before this one and not yet decided.</summary>
    public static Task<int> PositionAsync(BookingDbContext db, string showId, long seq, CancellationToken ct) =>
        db.HoldRequests.CountAsync(r => r.ShowId == showId && r.Status == RequestStatus.Queued && r.Seq < seq, ct);

    /// <summary>The view once the request was granted, from the decision event (what reading the request would show).</summary>
    public HoldRequestStatusResponse Placed(HoldRequestStatusResponse waiting, Contracts.Holds.HoldPlaced placed) => waiting with
    {
        Status = RequestStatus.Held, Position = null, EstimatedWaitSeconds = null,
        Hold = new HoldResponse(placed.HoldId, placed.ShowId, placed.SeatIds, placed.ExpiresAt, placed.TotalPrice, placed.Currency,
            placed.ExpiresAt <= time.GetUtcNow() ? HoldStatus.Expired : HoldStatus.Active),
    };

    /// <summary>The view once the request was turned down, from the decision event.</summary>
    public static HoldRequestStatusResponse Rejected(HoldRequestStatusResponse waiting, Contracts.Holds.HoldRejected rejected) => waiting with
    {
        Status = RequestStatus.Rejected, Position = null, EstimatedWaitSeconds = null, Reason = rejected.Reason, UnavailableSeatIds = rejected.UnavailableSeatIds,
    };

    /// <summary>A waiting request's view with the position (and the wait it means) filled in.</summary>
    public HoldRequestStatusResponse WithPosition(HoldRequestStatusResponse view, int position) =>
        view with { Position = position, EstimatedWaitSeconds = rates.EstimateWaitSeconds(view.ShowId, position + 1) };

    /// <summary>The position of a waiting request from the shared snapshot (<see cref="QueuePositions"/>).</summary>
    public Task<(int Position, bool Waiting)> LookupAsync(string showId, long seq, CancellationToken ct) => positions.LookupAsync(showId, seq, ct);

    public async Task<HoldRequestStatusResponse?> FindAsync(BookingDbContext db, string requestId, string userId, CancellationToken ct)
    {
        if (waiting.Find(requestId, userId) is { } admittedHere && await WaitingViewAsync(admittedHere.ToRequest(), ct) is { } view) return view;
        var request = await db.HoldRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == requestId, ct);
        if (request is null || request.UserId != userId) return null;
        return await ViewAsync(db, request, ct);
    }

    public async Task<HoldRequestStatusResponse> ViewAsync(BookingDbContext db, HoldRequest request, CancellationToken ct)
    {
        var view = BareView(request);
        switch (request.Status)
        {
            case RequestStatus.Queued:
                return WithPosition(view, await positions.PositionAsync(request.ShowId, request.Seq, ct));
            case RequestStatus.Held:
                var hold = await db.Holds.AsNoTracking().FirstAsync(h => h.Id == request.HoldId, ct);
                return view with { Hold = ToResponse(hold, time.GetUtcNow().UtcDateTime) };
            default:
                return view with { Reason = request.Reason, UnavailableSeatIds = SeatList.Split(request.UnavailableSeatIds) };
        }
    }

    /// <summary>
    /// A request this gateway knows to be waiting (<see cref="WaitingRequests"/>), with its position from the shared
    /// snapshot and no read of the request itself; null when the snapshot already shows it decided (read it then).
    /// </summary>
    public async Task<HoldRequestStatusResponse?> WaitingViewAsync(HoldRequest request, CancellationToken ct)
    {
        var (position, waiting) = await positions.LookupAsync(request.ShowId, request.Seq, ct);
        return waiting ? WithPosition(BareView(request), position) : null;
    }

    static HoldRequestStatusResponse BareView(HoldRequest request) => new()
    {
        RequestId = request.Id,
        ShowId = request.ShowId,
        SeatIds = SeatList.Split(request.SeatIds),
        BestAvailable = BestAvailableText.Parse(request.BestAvailable) is { } ask ? new BestAvailableResponse(ask.Count, ask.Section, ask.MaxPrice) : null,
        Status = request.Status,
        StatusUrl = $"/v1/hold-requests/{request.Id}",
        EventsUrl = $"/v1/hold-requests/{request.Id}/events",
    };

    /// <summary>A hold as its owner sees it; an active hold past its expiry already reads EXPIRED.</summary>
    public static HoldResponse ToResponse(Hold hold, DateTime now) => new(
        hold.Id, hold.ShowId, SeatList.Split(hold.SeatIds), new DateTimeOffset(hold.ExpiresAt, TimeSpan.Zero), hold.TotalPrice, hold.Currency,
        hold.Status == HoldStatus.Active && hold.EffectiveExpiry <= now ? HoldStatus.Expired : hold.Status);
}

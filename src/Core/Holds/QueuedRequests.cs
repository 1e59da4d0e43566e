using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Persistence;

namespace BookMyShow.Core.Holds;

/// <summary>A request recorded QUEUED, handed to its partition again (after a crash, or stranded by a gateway that died).</summary>
public static class QueuedRequests
{
    public static PlaceHold ToPlaceHold(this HoldRequest request) => new()
    {
        RequestId = request.Id, ShowId = request.ShowId, UserId = request.UserId, SeatIds = SeatList.Split(request.SeatIds),
        AdmittedAt = new DateTimeOffset(request.AdmittedAt, TimeSpan.Zero), BestAvailable = BestAvailableText.Parse(request.BestAvailable),
    };
}

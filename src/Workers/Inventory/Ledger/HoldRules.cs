using BookMyShow.Core.Persistence;

namespace BookMyShow.Workers.Inventory.Ledger;

/// <summary>The outcome of applying the hold rules to one request.</summary>
public sealed record HoldDecision(bool Granted, IReadOnlyList<string> UnavailableSeatIds, IReadOnlyList<string> LapsedHoldIds)
{
    public static HoldDecision Grant(IReadOnlyList<string> lapsedHoldIds) => new(true, [], lapsedHoldIds);

    public static HoldDecision Reject(IReadOnlyList<string> unavailable) => new(false, unavailable, []);
}

/// <summary>
/// All or nothing: a request is granted only when every requested seat exists and is available now. A seat whose
/// hold has passed its expiry counts as available; granting then ends that lapsed hold first.
/// </summary>
public static class HoldRules
{
    public static HoldDecision Decide(IReadOnlyList<string> requested, IReadOnlyDictionary<string, ShowSeat> seats, DateTime now)
    {
        var unavailable = new List<string>();
        var lapsed = new List<string>();
        foreach (var seatId in requested)
        {
            if (!seats.TryGetValue(seatId, out var seat) || !seat.IsAvailableAt(now))
            {
                unavailable.Add(seatId);
            }
            else if (seat.Status == SeatStatus.Held && seat.HoldId is { } lapsedHold && !lapsed.Contains(lapsedHold))
            {
                lapsed.Add(lapsedHold);
            }
        }
        return unavailable.Count > 0 ? HoldDecision.Reject(unavailable) : HoldDecision.Grant(lapsed);
    }
}

namespace BookMyShow.Contracts.Holds;

/// <summary>
/// Several hold requests for one partition in one message: what a gateway's admission group sends, so an on-sale costs
/// the broker one publish and one confirm per group and partition instead of one per request. Decided like
/// <see cref="PlaceHold"/>, in order, in one transaction.
/// </summary>
public record PlaceHolds
{
    public required IReadOnlyList<PlaceHold> Requests { get; init; }
}

namespace BookMyShow.Contracts.Holds;

/// <summary>Asks the show's partition to expire holds whose time has passed.</summary>
public record ExpireHolds
{
    public required string ShowId { get; init; }
    public required IReadOnlyList<string> HoldIds { get; init; }
}

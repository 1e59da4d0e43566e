namespace BookMyShow.Contracts.Holds;

/// <summary>The owner gives a hold back before it expires.</summary>
public record ReleaseHold
{
    public required string CommandId { get; init; }
    public required string HoldId { get; init; }
    public required string ShowId { get; init; }
    public required string UserId { get; init; }
}

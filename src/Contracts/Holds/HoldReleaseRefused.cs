namespace BookMyShow.Contracts.Holds;

/// <summary>A release could not be applied because the hold is no longer active.</summary>
public record HoldReleaseRefused
{
    public required string CommandId { get; init; }
    public required string HoldId { get; init; }
    public required string ShowId { get; init; }
    /// <summary>The hold's status at the time: EXPIRED or CONFIRMED.</summary>
    public required string HoldStatus { get; init; }
}

namespace BookMyShow.Contracts.Holds;

/// <summary>A hold was released by its owner; its seats are available again.</summary>
public record HoldReleased
{
    public required string HoldId { get; init; }
    public required string ShowId { get; init; }
    public required string UserId { get; init; }
    public required IReadOnlyList<string> SeatIds { get; init; }
    /// <summary>The release command this answers, when a user asked for it.</summary>
    public string? CommandId { get; init; }
    public required DateTimeOffset ReleasedAt { get; init; }
}

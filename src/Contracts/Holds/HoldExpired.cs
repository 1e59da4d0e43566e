namespace BookMyShow.Contracts.Holds;

/// <summary>A hold ran out of time; its seats are available again.</summary>
public record HoldExpired
{
    public required string HoldId { get; init; }
    public required string ShowId { get; init; }
    public required string UserId { get; init; }
    public required IReadOnlyList<string> SeatIds { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public required DateTimeOffset ExpiredAt { get; init; }
}

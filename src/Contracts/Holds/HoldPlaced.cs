namespace BookMyShow.Contracts.Holds;

/// <summary>A hold request was granted: every requested seat is now held.</summary>
public record HoldPlaced
{
    public required string RequestId { get; init; }
    public required string HoldId { get; init; }
    public required string ShowId { get; init; }
    public required string UserId { get; init; }
    public required IReadOnlyList<string> SeatIds { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public required decimal TotalPrice { get; init; }
    public required string Currency { get; init; }
    public required DateTimeOffset DecidedAt { get; init; }
}

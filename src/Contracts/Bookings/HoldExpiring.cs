namespace BookMyShow.Contracts.Bookings;

/// <summary>A hold will expire soon and nobody has paid yet (for notifications).</summary>
public record HoldExpiring
{
    public required string HoldId { get; init; }
    public required string ShowId { get; init; }
    public required string UserId { get; init; }
    public IReadOnlyList<string> SeatIds { get; init; } = [];
    public decimal Amount { get; init; }
    public string Currency { get; init; } = "";
    public required DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset WarnedAt { get; init; }
}

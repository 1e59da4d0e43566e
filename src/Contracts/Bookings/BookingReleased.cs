namespace BookMyShow.Contracts.Bookings;

/// <summary>The user let a hold go before paying; its seats are available again.</summary>
public record BookingReleased
{
    public required string HoldId { get; init; }
    public required string ShowId { get; init; }
    public required string UserId { get; init; }
    public required IReadOnlyList<string> SeatIds { get; init; }
    public required decimal Amount { get; init; }
    public required string Currency { get; init; }
    public required DateTimeOffset ReleasedAt { get; init; }
}

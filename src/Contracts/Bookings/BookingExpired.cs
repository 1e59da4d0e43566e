namespace BookMyShow.Contracts.Bookings;

/// <summary>A hold ran out of time without a booking; its seats are available again.</summary>
public record BookingExpired
{
    public required string HoldId { get; init; }
    public required string ShowId { get; init; }
    public required string UserId { get; init; }
    public required IReadOnlyList<string> SeatIds { get; init; }
    public required decimal Amount { get; init; }
    public required string Currency { get; init; }
    public required DateTimeOffset ExpiredAt { get; init; }
}

namespace BookMyShow.Contracts.Bookings;

/// <summary>A user now holds seats and may pay for them until <see cref="ExpiresAt"/>.</summary>
public record BookingHeld
{
    public required string HoldId { get; init; }
    public required string ShowId { get; init; }
    public required string UserId { get; init; }
    public required IReadOnlyList<string> SeatIds { get; init; }
    public required decimal Amount { get; init; }
    public required string Currency { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public required DateTimeOffset HeldAt { get; init; }
}

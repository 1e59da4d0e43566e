namespace BookMyShow.Contracts.Bookings;

/// <summary>A booking exists: seats confirmed and paid.</summary>
public record BookingConfirmed
{
    public required string BookingId { get; init; }
    public required string HoldId { get; init; }
    public required string ShowId { get; init; }
    public required string UserId { get; init; }
    public required IReadOnlyList<string> SeatIds { get; init; }
    public required decimal Amount { get; init; }
    public required string Currency { get; init; }
    public required string PaymentIntentId { get; init; }
    public required DateTimeOffset ConfirmedAt { get; init; }
}

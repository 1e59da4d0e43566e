namespace BookMyShow.Contracts.Bookings;

/// <summary>Money taken for a hold was given back (paid too late, hold ended, or charged twice).</summary>
public record BookingRefunded
{
    public required string HoldId { get; init; }
    /// <summary>Set when the hold did become a booking (a duplicate charge was refunded); the booking stands.</summary>
    public string? BookingId { get; init; }
    public required string ShowId { get; init; }
    public required string UserId { get; init; }
    public required IReadOnlyList<string> SeatIds { get; init; }
    public required decimal Amount { get; init; }
    public required string Currency { get; init; }
    public required string PaymentIntentId { get; init; }
    public required string RefundId { get; init; }
    public required DateTimeOffset RefundedAt { get; init; }
}

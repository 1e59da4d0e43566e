namespace BookMyShow.Contracts.Bookings;

/// <summary>After a successful payment: turn the hold's seats into a booking, only if the hold is still active.</summary>
public record ConfirmSeats
{
    public required string HoldId { get; init; }
    public required string ShowId { get; init; }
    public required string UserId { get; init; }
    public required string BookingId { get; init; }
    public required string AttemptId { get; init; }
    public required string PaymentIntentId { get; init; }
    public required decimal Amount { get; init; }
    public required string Currency { get; init; }
    /// <summary>The confirm request's Idempotency-Key whose answer is written with the booking.</summary>
    public string? IdempotencyKey { get; init; }
    /// <summary>When the money was taken; past Bookings:ConfirmDeadline the partition refuses and the saga refunds.</summary>
    public DateTimeOffset? PaidAt { get; init; }
}

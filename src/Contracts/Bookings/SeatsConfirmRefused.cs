namespace BookMyShow.Contracts.Bookings;

/// <summary>The partition refused to confirm: the hold was no longer active (EXPIRED or RELEASED).</summary>
public record SeatsConfirmRefused
{
    public required string HoldId { get; init; }
    public required string ShowId { get; init; }
    public required string AttemptId { get; init; }
    public required string PaymentIntentId { get; init; }
    public required string HoldStatus { get; init; }
}

namespace BookMyShow.Contracts.Payments;

/// <summary>The provider took the money for one attempt.</summary>
public record PaymentSucceeded
{
    public required string HoldId { get; init; }
    public required string ShowId { get; init; }
    public required string AttemptId { get; init; }
    public required string PaymentIntentId { get; init; }
    public required decimal Amount { get; init; }
    public required string Currency { get; init; }
    /// <summary>When the provider took the money (bounds how late a booking may still be written).</summary>
    public DateTimeOffset? SucceededAt { get; init; }
}

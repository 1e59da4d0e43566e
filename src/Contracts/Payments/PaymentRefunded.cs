namespace BookMyShow.Contracts.Payments;

/// <summary>A charge was refunded.</summary>
public record PaymentRefunded
{
    public required string HoldId { get; init; }
    public required string ShowId { get; init; }
    public required string PaymentIntentId { get; init; }
    public required string RefundId { get; init; }
    public required decimal Amount { get; init; }
    public required string Currency { get; init; }
}

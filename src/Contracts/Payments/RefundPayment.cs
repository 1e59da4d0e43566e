namespace BookMyShow.Contracts.Payments;

/// <summary>Give back a successful charge in full.</summary>
public record RefundPayment
{
    public required string HoldId { get; init; }
    public required string ShowId { get; init; }
    public required string PaymentIntentId { get; init; }
    public required decimal Amount { get; init; }
    public required string Currency { get; init; }
    public required string Reason { get; init; }
}

namespace BookMyShow.Contracts.Payments;

/// <summary>Charge the hold's price to the given payment method. One attempt of possibly several per hold.</summary>
public record ChargePayment
{
    public required string HoldId { get; init; }
    public required string ShowId { get; init; }
    public required string UserId { get; init; }
    /// <summary>Distinguishes the attempts of one hold; with the hold id it makes the provider's idempotency key.</summary>
    public required string AttemptId { get; init; }
    /// <summary>Amount in major units (e.g. 1500.00 INR); the provider converts to minor units.</summary>
    public required decimal Amount { get; init; }
    public required string Currency { get; init; }
    public required string PaymentToken { get; init; }
}

namespace BookMyShow.Contracts.Payments;

/// <summary>The provider refused the payment method; nothing was charged.</summary>
public record PaymentDeclined
{
    public required string HoldId { get; init; }
    public required string ShowId { get; init; }
    public required string AttemptId { get; init; }
    /// <summary>Provider's decline code, e.g. card_declined, insufficient_funds.</summary>
    public required string Code { get; init; }
    public required string Message { get; init; }
}

namespace BookMyShow.Contracts.Payments;

/// <summary>
/// The provider could not be reached, or kept failing, within the bounded retries. Whether money moved is unknown;
/// a later webhook (payment_intent.succeeded) settles it.
/// </summary>
public record PaymentFailed
{
    public required string HoldId { get; init; }
    public required string ShowId { get; init; }
    public required string AttemptId { get; init; }
    public required string Reason { get; init; }
}

namespace BookMyShow.Contracts.Bookings;

/// <summary>
/// The partition refused to confirm: the hold was no longer active (EXPIRED or RELEASED), or the payment was older
/// than the confirm deadline (CONFIRM_DEADLINE_PASSED; the hold is then released).
/// </summary>
public record SeatsConfirmRefused
{
    public required string HoldId { get; init; }
    public required string ShowId { get; init; }
    public required string AttemptId { get; init; }
    public required string PaymentIntentId { get; init; }
    public required string HoldStatus { get; init; }
}

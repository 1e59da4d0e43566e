namespace BookMyShow.Contracts.Bookings;

/// <summary>The stored answer of a confirm request was written; gateways wake whoever waits for it.</summary>
public record ConfirmationAnswered
{
    public required string HoldId { get; init; }
    public required string AttemptId { get; init; }
    public required int StatusCode { get; init; }
}

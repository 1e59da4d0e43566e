namespace BookMyShow.Contracts.Bookings;

/// <summary>The hold's owner asks to pay and confirm (one attempt; the gateway's confirm request).</summary>
public record ConfirmBooking
{
    public required string HoldId { get; init; }
    public required string ShowId { get; init; }
    public required string UserId { get; init; }
    public required string AttemptId { get; init; }
    public required string PaymentToken { get; init; }
    /// <summary>The client's Idempotency-Key: the answer is stored under it.</summary>
    public required string IdempotencyKey { get; init; }
    /// <summary>The hold as the gateway read it: the booking saga starts from the first confirmation (ADR 0015).</summary>
    public IReadOnlyList<string> SeatIds { get; init; } = [];
    public decimal Amount { get; init; }
    public string Currency { get; init; } = "";
    public DateTimeOffset ExpiresAt { get; init; }
}

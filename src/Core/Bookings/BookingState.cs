using MassTransit;

namespace BookMyShow.Core.Bookings;

/// <summary>
/// The booking saga's state, one per hold (correlated by the hold id's GUID). It lives in Core with the rest of the
/// schema so that every process builds the same model; the state machine that drives it lives in src/Sagas.
/// </summary>
public sealed class BookingState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public required string CurrentState { get; set; }
    public required string HoldId { get; set; }
    public required string ShowId { get; set; }
    public required string UserId { get; set; }
    public required string SeatIds { get; set; }
    public decimal Amount { get; set; }
    public required string Currency { get; set; }
    public DateTime ExpiresAt { get; set; }
    /// <summary>When a payment is in flight: the hold is kept until then at most.</summary>
    public DateTime? PaymentGraceUntil { get; set; }
    public string? AttemptId { get; set; }
    public string? IdempotencyKey { get; set; }
    public int Attempts { get; set; }
    public string? PaymentIntentId { get; set; }
    public string? BookingId { get; set; }
    public string? RefundId { get; set; }
    public string? LastPaymentError { get; set; }
    /// <summary>Why the hold ended without a booking (EXPIRED, RELEASED) — decides 410 or 409 for a late payment.</summary>
    public string? EndReason { get; set; }
    public DateTime UpdatedAt { get; set; }

    public static Guid CorrelationOf(string holdId) => Guid.ParseExact(holdId.AsSpan(2), "N");
}

using BookMyShow.Contracts.Payments;

namespace BookMyShow.Workers.Payments;

/// <summary>
/// A payment provider. Implementations retry transient failures themselves (same idempotency key, bounded attempts)
/// and never throw for provider trouble: they answer <see cref="ChargeResult.Unavailable"/> instead.
/// </summary>
public interface IPaymentGateway
{
    Task<ChargeResult> ChargeAsync(ChargePayment charge, CancellationToken cancellationToken);

    Task<RefundResult> RefundAsync(RefundPayment refund, CancellationToken cancellationToken);
}

public abstract record ChargeResult
{
    private ChargeResult()
    {
    }

    /// <summary>The money was taken.</summary>
    public sealed record Succeeded(string PaymentIntentId) : ChargeResult;

    /// <summary>The provider refused; nothing was charged.</summary>
    public sealed record Declined(string Code, string Message) : ChargeResult;

    /// <summary>No answer within the bounded attempts: whether money moved is unknown (a webhook settles it).</summary>
    public sealed record Unavailable(string Reason) : ChargeResult;
}

public abstract record RefundResult
{
    private RefundResult()
    {
    }

    public sealed record Refunded(string RefundId) : RefundResult;

    public sealed record Unavailable(string Reason) : RefundResult;
}

/// <summary>Idempotency keys: one per charge attempt and one per refunded intent, so any retry or redelivery is safe.</summary>
public static class PaymentIdempotencyKeys
{
    public static string For(ChargePayment charge)
    {
        ArgumentNullException.ThrowIfNull(charge);
        return $"bms-charge-{charge.HoldId}-{charge.AttemptId}";
    }

    public static string For(RefundPayment refund)
    {
        ArgumentNullException.ThrowIfNull(refund);
        return $"bms-refund-{refund.HoldId}-{refund.PaymentIntentId}";
    }
}

using System.Collections.Concurrent;
using BookMyShow.Contracts.Payments;
using Microsoft.Extensions.Options;

namespace BookMyShow.Workers.Payments;

/// <summary>
/// A payment provider in process, for the embedded mode, demos and tests. It knows a fixed list of Stripe's documented
/// test tokens, each as <c>pm_card_…</c> and <c>tok_…</c> (<see cref="TestCards"/>): <c>visa</c>, <c>mastercard</c>
/// and <c>amex</c> succeed, <c>chargeDeclined</c> and its variants decline, <c>authenticationRequired</c> needs 3-D
/// Secure (declined as authentication_required), and our own <c>simulateTimeout</c> never answers, so the timeout and
/// retry path runs and ends unavailable. Any other token is one Stripe never issued: like Stripe, the simulator says
/// the payment method does not exist (resource_missing), and nothing is charged. Like Stripe it remembers results by
/// idempotency key: the same key gets the same payment intent or refund.
/// </summary>
public sealed class SimulatedPaymentGateway(ProviderCalls calls, IOptions<PaymentOptions> options, TimeProvider time) : IPaymentGateway
{
    readonly ConcurrentDictionary<string, SimulatedCharge> _charges = new();
    readonly ConcurrentDictionary<string, SimulatedRefund> _refunds = new();
    readonly TimeSpan _latency = options.Value.Simulated.Latency;

    /// <summary>Every charge decided (succeeded or declined), by idempotency key.</summary>
    public IReadOnlyCollection<SimulatedCharge> Charges => [.. _charges.Values];

    public IReadOnlyCollection<SimulatedRefund> Refunds => [.. _refunds.Values];

    public Task<ChargeResult> ChargeAsync(ChargePayment charge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(charge);
        var key = PaymentIdempotencyKeys.For(charge);
        return calls.RunAsync<ChargeResult>("charge", key, async ct =>
        {
            await SimulateLatencyAsync(ct);
            if (TestCardName(charge.PaymentToken) == "simulateTimeout")
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, time, ct);
            }

            var stored = _charges.GetOrAdd(key, _ => new SimulatedCharge(key, charge, Decide(charge)));
            if (stored.Amount != charge.Amount || !string.Equals(stored.Currency, charge.Currency, StringComparison.OrdinalIgnoreCase)
                || stored.PaymentToken != charge.PaymentToken)
            {
                // What Stripe answers for a reused key with other parameters; whether the first one charged is known to the caller only.
                return new ChargeResult.Unavailable($"idempotency_error: key {key} was first used with other parameters");
            }
            return stored.Result;
        }, reason => new ChargeResult.Unavailable(reason), cancellationToken);
    }

    public Task<RefundResult> RefundAsync(RefundPayment refund, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(refund);
        var key = PaymentIdempotencyKeys.For(refund);
        return calls.RunAsync<RefundResult>("refund", key, async ct =>
        {
            await SimulateLatencyAsync(ct);
            var stored = _refunds.GetOrAdd(key, _ => new SimulatedRefund(key, NewId("re_sim_"), refund.PaymentIntentId, refund.HoldId, refund.Amount, refund.Currency));
            return new RefundResult.Refunded(stored.RefundId);
        }, reason => new RefundResult.Unavailable(reason), cancellationToken);
    }

    async Task SimulateLatencyAsync(CancellationToken ct)
    {
        if (_latency > TimeSpan.Zero)
        {
            await Task.Delay(_latency, time, ct);
        }
    }

    static ChargeResult Decide(ChargePayment charge)
    {
        try
        {
            StripeAmounts.ToMinorUnits(charge.Amount, charge.Currency);
        }
        catch (ArgumentException e)
        {
            return new ChargeResult.Declined("invalid_charge_amount", e.Message);
        }

        return TestCardName(charge.PaymentToken) switch
        {
            // What Stripe answers for a payment method it never issued (HTTP 400 invalid_request_error), which the
            // Stripe gateway also reports as a decline with this code: the user's confirmation ends 402.
            null => new ChargeResult.Declined("resource_missing", charge.PaymentToken.StartsWith("tok_", StringComparison.Ordinal)
                ? $"No such token: '{charge.PaymentToken}'"
                : $"No such PaymentMethod: '{charge.PaymentToken}'"),
            "chargeDeclined" => new ChargeResult.Declined("card_declined", "Your card was declined."),
            "chargeDeclinedInsufficientFunds" => new ChargeResult.Declined("insufficient_funds", "Your card has insufficient funds."),
            "chargeDeclinedExpiredCard" => new ChargeResult.Declined("expired_card", "Your card has expired."),
            "chargeDeclinedIncorrectCvc" => new ChargeResult.Declined("incorrect_cvc", "Your card's security code is incorrect."),
            "chargeDeclinedLostCard" => new ChargeResult.Declined("lost_card", "Your card was declined."),
            "chargeDeclinedStolenCard" => new ChargeResult.Declined("stolen_card", "Your card was declined."),
            "chargeDeclinedFraudulent" => new ChargeResult.Declined("fraudulent", "Your card was declined."),
            "authenticationRequired" or "threeDSecure2Required" or "threeDSecureRequired" =>
                new ChargeResult.Declined("authentication_required", "The payment needs 3-D Secure authentication, which this flow cannot complete."),
            _ => new ChargeResult.Succeeded(NewId("pi_sim_")),
        };
    }

    /// <summary>
    /// The test cards known here, by name: Stripe's documented ones that the README, the tests and the bench use or that
    /// name a decline reason, and our <c>simulateTimeout</c>. Nothing is accepted by its prefix alone.
    /// </summary>
    public static readonly IReadOnlySet<string> TestCards = new HashSet<string>(StringComparer.Ordinal)
    {
        "visa", "mastercard", "amex",
        "chargeDeclined", "chargeDeclinedInsufficientFunds", "chargeDeclinedExpiredCard", "chargeDeclinedIncorrectCvc",
        "chargeDeclinedLostCard", "chargeDeclinedStolenCard", "chargeDeclinedFraudulent",
        "authenticationRequired", "threeDSecure2Required", "threeDSecureRequired",
        "simulateTimeout",
    };

    /// <summary>"visa" for pm_card_visa and tok_visa; null for any token that is not one of <see cref="TestCards"/>.</summary>
    static string? TestCardName(string token)
    {
        var name = token.StartsWith("pm_card_", StringComparison.Ordinal) ? token["pm_card_".Length..]
            : token.StartsWith("tok_", StringComparison.Ordinal) ? token["tok_".Length..]
            : null;
        return name is not null && TestCards.Contains(name) ? name : null;
    }

    static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..24];
}

public sealed record SimulatedCharge(string IdempotencyKey, string HoldId, string ShowId, string AttemptId, decimal Amount,
    string Currency, string PaymentToken, ChargeResult Result)
{
    public SimulatedCharge(string idempotencyKey, ChargePayment charge, ChargeResult result)
        : this(idempotencyKey, charge.HoldId, charge.ShowId, charge.AttemptId, charge.Amount, charge.Currency, charge.PaymentToken, result)
    {
    }
}

public sealed record SimulatedRefund(string IdempotencyKey, string RefundId, string PaymentIntentId, string HoldId, decimal Amount, string Currency);

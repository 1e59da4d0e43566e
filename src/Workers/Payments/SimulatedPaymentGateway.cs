using System.Collections.Concurrent;
using BookMyShow.Contracts.Payments;
using Microsoft.Extensions.Options;

namespace BookMyShow.Workers.Payments;

/// <summary>
/// A payment provider in process, for the embedded mode, demos and tests. It honours Stripe's documented test
/// tokens (pm_card_… and tok_…): <c>visa</c> and any token not listed succeed, <c>chargeDeclined</c> and its
/// variants decline, <c>authenticationRequired</c> needs 3-D Secure (declined as authentication_required), and
/// <c>simulateTimeout</c> never answers, so the timeout and retry path runs and ends unavailable. Like Stripe it
/// remembers results by idempotency key: the same key gets the same payment intent or refund.
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
            null => new ChargeResult.Declined("resource_missing", $"No such PaymentMethod: '{charge.PaymentToken}'"),
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

    /// <summary>"visa" for pm_card_visa and tok_visa; null when the token is neither form.</summary>
    static string? TestCardName(string token) =>
        token.StartsWith("pm_card_", StringComparison.Ordinal) ? token["pm_card_".Length..]
        : token.StartsWith("tok_", StringComparison.Ordinal) ? token["tok_".Length..]
        : null;

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

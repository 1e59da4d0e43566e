using System.Globalization;
using System.Net;
using BookMyShow.Contracts.Payments;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stripe;

namespace BookMyShow.Workers.Payments;

/// <summary>
/// Stripe through Stripe.net: a confirmed PaymentIntent per charge attempt, a Refund per refunded intent, both with
/// idempotency keys so a retry or a redelivered message never charges or refunds twice. Stripe.net's own retries
/// are off; <see cref="ProviderCalls"/> retries 429, 409, 5xx, network errors and timeouts with the same key.
/// </summary>
public sealed class StripePaymentGateway(IHttpClientFactory httpClients, ProviderCalls calls, IOptions<PaymentOptions> options,
    ILogger<StripePaymentGateway> logger) : IPaymentGateway
{
    /// <summary>Name of the <see cref="HttpClient"/> registered for Stripe.</summary>
    public const string HttpClientName = "stripe";

    readonly StripeProviderOptions _stripe = options.Value.Stripe;

    public Task<ChargeResult> ChargeAsync(ChargePayment charge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(charge);
        long amount;
        try
        {
            amount = StripeAmounts.ToMinorUnits(charge.Amount, charge.Currency);
        }
        catch (ArgumentException e)
        {
            return Task.FromResult<ChargeResult>(new ChargeResult.Declined("invalid_charge_amount", e.Message));
        }

        var create = new PaymentIntentCreateOptions
        {
            Amount = amount,
            Currency = charge.Currency.ToLowerInvariant(),
            Confirm = true,
            // Automatic payment methods off: the intent takes the given card only, so no redirect-based method (and no
            // return_url) comes into play. Stripe.net 53 no longer offers payment_method_types on create.
            AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = false },
            Metadata = new Dictionary<string, string>
            {
                ["hold_id"] = charge.HoldId,
                ["attempt_id"] = charge.AttemptId,
                ["show_id"] = charge.ShowId,
                ["user_id"] = charge.UserId,
            },
        };
        if (charge.PaymentToken.StartsWith("tok_", StringComparison.Ordinal))
        {
            // A card token (Stripe.js v2, test tokens) becomes a PaymentMethod inline. Stripe.net has no typed
            // payment_method_data[card], so it goes as an extra parameter.
            create.AddExtraParam("payment_method_data", new Dictionary<string, object>
            {
                ["type"] = "card",
                ["card"] = new Dictionary<string, object> { ["token"] = charge.PaymentToken },
            });
        }
        else
        {
            create.PaymentMethod = charge.PaymentToken;
        }

        var key = PaymentIdempotencyKeys.For(charge);
        var request = new RequestOptions { IdempotencyKey = key };
        return calls.RunAsync<ChargeResult>("charge", key, async ct =>
        {
            try
            {
                var intent = await new PaymentIntentService(Client()).CreateAsync(create, request, ct);
                return intent.Status switch
                {
                    "succeeded" => new ChargeResult.Succeeded(intent.Id),
                    // Cards rarely go here; money may still move, so the outcome is unknown until the webhook.
                    "processing" => new ChargeResult.Unavailable($"payment intent {intent.Id} is still processing"),
                    // requires_action (3-D Secure) and the like: this server-side flow cannot complete it.
                    _ => new ChargeResult.Declined("authentication_required",
                        $"Payment intent {intent.Id} needs customer action ({intent.Status}), which this flow cannot complete."),
                };
            }
            catch (StripeException e)
            {
                return Classify(e, "charge", key) switch
                {
                    Failure.CardError => new ChargeResult.Declined(DeclineCode(e.StripeError), e.StripeError?.Message ?? e.Message),
                    Failure.Rejected => new ChargeResult.Declined(e.StripeError?.Code ?? "invalid_request", e.StripeError?.Message ?? e.Message),
                    _ => new ChargeResult.Unavailable(Describe(e)),
                };
            }
        }, reason => new ChargeResult.Unavailable(reason), cancellationToken);
    }

    public Task<RefundResult> RefundAsync(RefundPayment refund, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(refund);
        var create = new RefundCreateOptions
        {
            // No amount: RefundPayment means in full. Stripe's Reason takes only its own three values, so ours goes to metadata.
            PaymentIntent = refund.PaymentIntentId,
            Metadata = new Dictionary<string, string>
            {
                ["hold_id"] = refund.HoldId,
                ["show_id"] = refund.ShowId,
                ["reason"] = refund.Reason.Length <= 500 ? refund.Reason : refund.Reason[..500],
            },
        };
        var key = PaymentIdempotencyKeys.For(refund);
        var request = new RequestOptions { IdempotencyKey = key };
        return calls.RunAsync<RefundResult>("refund", key, async ct =>
        {
            try
            {
                var created = await new RefundService(Client()).CreateAsync(create, request, ct);
                return created.Status is "failed" or "canceled"
                    ? new RefundResult.Unavailable($"refund {created.Id} is {created.Status}")
                    : new RefundResult.Refunded(created.Id);
            }
            catch (StripeException e)
            {
                Classify(e, "refund", key);
                return new RefundResult.Unavailable(Describe(e));
            }
        }, reason => new RefundResult.Unavailable(reason), cancellationToken);
    }

    // A client per call is cheap and takes a fresh HttpClient from the factory each time (its handlers are pooled).
    StripeClient Client() => new(new StripeClientOptions
    {
        ApiKey = _stripe.ApiKey,
        ApiBase = string.IsNullOrWhiteSpace(_stripe.ApiBase) ? null : _stripe.ApiBase.TrimEnd('/'),
        HttpClient = new SystemNetHttpClient(httpClients.CreateClient(HttpClientName), maxNetworkRetries: 0,
            appInfo: new AppInfo { Name = "BookMyShow" }, enableTelemetry: false),
    });

    enum Failure
    {
        /// <summary>The card was declined (HTTP 402, type card_error).</summary>
        CardError,

        /// <summary>The request was refused for good (bad parameters, unknown payment method): nothing moved.</summary>
        Rejected,

        /// <summary>Cannot be settled by retrying: our key or configuration is wrong, or the idempotency key was misused.</summary>
        Final,
    }

    /// <summary>Throws <see cref="TransientProviderException"/> for failures worth retrying; otherwise says which kind it is.</summary>
    Failure Classify(StripeException e, string operation, string key)
    {
        var status = (int)e.HttpStatusCode;
        var error = e.StripeError;
        var shouldRetry = Header(e, "Stripe-Should-Retry");
        if (error?.Type == "card_error")
        {
            return Failure.CardError;
        }
        if (shouldRetry == "true" || (shouldRetry != "false" && (status is 409 or 429 || status >= 500)))
        {
            throw new TransientProviderException(Describe(e), RetryAfter(e), e);
        }

        logger.LogWarning("Stripe refused {Operation} {IdempotencyKey}: {Reason}", operation, key, Describe(e));
        return status is 400 or 402 or 404 && error is { Type: "invalid_request_error" } ? Failure.Rejected : Failure.Final;
    }

    /// <summary>The most specific reason: decline_code (insufficient_funds, lost_card) unless it is the generic one.</summary>
    public static string DeclineCode(StripeError? error) =>
        error?.DeclineCode is { Length: > 0 } decline && decline != "generic_decline" ? decline : error?.Code ?? "card_declined";

    static string Describe(StripeException e)
    {
        var status = (int)e.HttpStatusCode;
        var error = e.StripeError;
        var kind = string.Join('/', new[] { error?.Type, error?.Code }.Where(s => !string.IsNullOrEmpty(s)));
        return string.Create(CultureInfo.InvariantCulture, $"Stripe HTTP {status}{(kind.Length > 0 ? " " + kind : "")}: {error?.Message ?? e.Message}");
    }

    static string? Header(StripeException e, string name) =>
        e.StripeResponse?.Headers is { } headers && headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    static TimeSpan? RetryAfter(StripeException e) =>
        e.HttpStatusCode == HttpStatusCode.TooManyRequests && e.StripeResponse?.Headers?.RetryAfter?.Delta is { } delta ? delta : null;
}

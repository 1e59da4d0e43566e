using System.Text;
using BookMyShow.Contracts.Payments;
using BookMyShow.Gateway.Apis;
using BookMyShow.Gateway.Apis.Binding;
using Microsoft.AspNetCore.Mvc;
using BookMyShow.Workers.Payments;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Stripe;
using StripeEvent = Stripe.Event;

namespace BookMyShow.Gateway.Integration;

/// <summary>
/// POST /v1/webhooks/stripe: Stripe's events about our payments, verified with the endpoint's signing secret
/// (Payments:Stripe:WebhookSecret) and published as the payment worker's result messages. They settle what the
/// worker could not see, e.g. a charge that succeeded after the worker gave up with PaymentFailed. Stripe delivers
/// at least once, so the messages may repeat what the worker already published; their consumers are idempotent.
/// </summary>
public static class StripeWebhooks
{
    public const string Path = "/v1/webhooks/stripe";
    public const string SecretKey = "Payments:Stripe:WebhookSecret";
    public const string SignatureHeader = "Stripe-Signature";

    public static IEndpointRouteBuilder MapStripeWebhooks(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, ReceiveAsync).AllowAnonymous().ExcludeFromDescription()
            .WithMetadata(new RequestSizeLimitAttribute(RequestLimits.WebhookMaxBodyBytes));
        return app;
    }

    static async Task<Results<Ok, ProblemHttpResult>> ReceiveAsync(HttpRequest request, IConfiguration configuration,
        IPublishEndpoint publish, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(StripeWebhooks).FullName!);
        var secret = configuration[SecretKey];
        if (string.IsNullOrWhiteSpace(secret))
        {
            return Problems.NotFound("Stripe webhooks are not enabled: Payments:Stripe:WebhookSecret is not set.");
        }

        var signature = request.Headers[SignatureHeader].ToString();
        if (string.IsNullOrWhiteSpace(signature))
        {
            return Problems.BadRequest("The Stripe-Signature header is missing.");
        }

        // The signature covers the exact bytes Stripe sent: read them raw, never re-serialized.
        string json;
        using (var reader = new StreamReader(request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true)))
        {
            try
            {
                json = await reader.ReadToEndAsync(cancellationToken);
            }
            catch (DecoderFallbackException)
            {
                return Problems.BadRequest("The body is not UTF-8.");
            }
        }

        StripeEvent? stripeEvent;
        try
        {
            // Our messages read only ids, metadata, amounts and currency, which are the same in every API version, so
            // an endpoint left on another version than Stripe.net's still works.
            stripeEvent = EventUtility.ConstructEvent(json, signature, secret, EventUtility.DefaultTimeTolerance,
                time.GetUtcNow().ToUnixTimeSeconds(), throwOnApiVersionMismatch: false);
        }
        catch (StripeException e)
        {
            logger.LogWarning("Rejected a Stripe webhook: {Reason}", e.Message);
            return Problems.BadRequest($"The Stripe-Signature header does not verify: {e.Message}");
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or OverflowException or ArgumentException or InvalidOperationException)
        {
            logger.LogWarning("Rejected a signed Stripe webhook that is not an event: {Reason}", e.Message);
            return Problems.BadRequest("The body is not a Stripe event.");
        }
        if (stripeEvent is null || string.IsNullOrEmpty(stripeEvent.Type))
        {
            return Problems.BadRequest("The body is not a Stripe event.");
        }

        var message = Translate(stripeEvent);
        if (message is null)
        {
            logger.LogInformation("Ignored Stripe event {EventId} of type {EventType}", stripeEvent.Id, stripeEvent.Type);
            return TypedResults.Ok();
        }

        await publish.Publish(message, message.GetType(), cancellationToken);
        logger.LogInformation("Stripe event {EventId} of type {EventType} published as {MessageType}", stripeEvent.Id, stripeEvent.Type, message.GetType().Name);
        return TypedResults.Ok();
    }

    /// <summary>
    /// The message an event stands for: PaymentSucceeded, PaymentDeclined or PaymentRefunded; null for other event
    /// types and for objects without our metadata (hold_id, show_id and, for intents, attempt_id).
    /// </summary>
    public static object? Translate(StripeEvent stripeEvent)
    {
        ArgumentNullException.ThrowIfNull(stripeEvent);
        switch (stripeEvent.Type)
        {
            case "payment_intent.succeeded" when stripeEvent.Data?.Object is PaymentIntent intent
                && Ours(intent.Metadata, out var holdId, out var showId) && Value(intent.Metadata, "attempt_id") is { } attemptId:
                var received = intent.AmountReceived > 0 ? intent.AmountReceived : intent.Amount;
                return new PaymentSucceeded
                {
                    HoldId = holdId,
                    ShowId = showId,
                    AttemptId = attemptId,
                    PaymentIntentId = intent.Id,
                    Amount = StripeAmounts.FromMinorUnits(received, intent.Currency),
                    Currency = intent.Currency.ToUpperInvariant(),
                    SucceededAt = new DateTimeOffset(DateTime.SpecifyKind(stripeEvent.Created, DateTimeKind.Utc)),
                };

            case "payment_intent.payment_failed" when stripeEvent.Data?.Object is PaymentIntent intent
                && Ours(intent.Metadata, out var holdId, out var showId) && Value(intent.Metadata, "attempt_id") is { } attemptId:
                return new PaymentDeclined
                {
                    HoldId = holdId,
                    ShowId = showId,
                    AttemptId = attemptId,
                    Code = intent.LastPaymentError is null ? "payment_failed" : StripePaymentGateway.DeclineCode(intent.LastPaymentError),
                    Message = intent.LastPaymentError?.Message ?? "The payment failed.",
                };

            case "charge.refunded" when stripeEvent.Data?.Object is Charge charge
                && Ours(charge.Metadata, out var holdId, out var showId) && !string.IsNullOrEmpty(charge.PaymentIntentId):
                // Charges carry their refunds only up to API version 2022-11-15; without them there is no refund id to
                // report, and the worker's own PaymentRefunded (from the refund call) is the record.
                var refund = charge.Refunds?.Data?.OrderByDescending(r => r.Created).FirstOrDefault();
                if (refund is null)
                {
                    return null;
                }
                var currency = string.IsNullOrEmpty(refund.Currency) ? charge.Currency : refund.Currency;
                return new PaymentRefunded
                {
                    HoldId = holdId,
                    ShowId = showId,
                    PaymentIntentId = charge.PaymentIntentId,
                    RefundId = refund.Id,
                    Amount = StripeAmounts.FromMinorUnits(refund.Amount, currency),
                    Currency = currency.ToUpperInvariant(),
                };

            default:
                return null;
        }
    }

    static bool Ours(Dictionary<string, string>? metadata, out string holdId, out string showId)
    {
        holdId = Value(metadata, "hold_id") ?? "";
        showId = Value(metadata, "show_id") ?? "";
        return holdId.Length > 0 && showId.Length > 0;
    }

    static string? Value(Dictionary<string, string>? metadata, string key) =>
        metadata is not null && metadata.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;
}

using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BookMyShow.TestInfrastructure.FakeStripe;

/// <summary>
/// A local server that speaks the part of Stripe's API our payment worker uses, the way Stripe.net calls it:
/// form-encoded POST bodies, Bearer api key, Stripe's JSON objects and error shape, and Idempotency-Key replay.
/// <list type="bullet">
/// <item><c>POST /v1/payment_intents</c> (confirm=true with <c>payment_method=pm_card_…</c> or
/// <c>payment_method_data[type]=card&amp;payment_method_data[card][token]=tok_…</c>), <c>GET /v1/payment_intents/{id}</c>,
/// <c>POST /v1/refunds</c>, <c>GET /v1/refunds/{id}</c>, <c>GET /v1/charges/{id}</c>.</item>
/// <item>Test cards as Stripe documents them: <c>visa</c> and any other name succeed; <c>chargeDeclined…</c> answer
/// 402 card_error; <c>authenticationRequired</c> / <c>threeDSecure2Required</c> leave the intent in requires_action.</item>
/// <item>Idempotency: the same key with the same parameters gets the stored response (same status, same body,
/// header <c>Idempotent-Replayed: true</c>); with other parameters 400 idempotency_error. Like Stripe, only requests
/// that reached the endpoint are stored (200 and 402), not validation errors or injected faults.</item>
/// <item>Faults for tests, taken one per request (after the api key check, before idempotency):
/// <see cref="FailNext"/> (500, 429, 503…) and <see cref="HangNext"/> (no answer for a while; a request whose client
/// gives up meanwhile is dropped unprocessed).</item>
/// </list>
/// </summary>
public sealed class FakeStripeServer : IAsyncDisposable
{
    public const string DefaultApiKey = "sk_test_bookmyshow_fake";

    /// <summary>The API version Stripe.net 53 pins; events built here carry it unless told otherwise.</summary>
    public const string DefaultApiVersion = "2026-07-29.dahlia";

    static readonly Dictionary<string, (string Code, string DeclineCode, string Message)> DeclineCards = new(StringComparer.Ordinal)
    {
        ["chargeDeclined"] = ("card_declined", "generic_decline", "Your card was declined."),
        ["chargeDeclinedInsufficientFunds"] = ("card_declined", "insufficient_funds", "Your card has insufficient funds."),
        ["chargeDeclinedFraudulent"] = ("card_declined", "fraudulent", "Your card was declined."),
        ["chargeDeclinedLostCard"] = ("card_declined", "lost_card", "Your card was declined."),
        ["chargeDeclinedStolenCard"] = ("card_declined", "stolen_card", "Your card was declined."),
        ["chargeDeclinedExpiredCard"] = ("expired_card", "expired_card", "Your card has expired."),
        ["chargeDeclinedIncorrectCvc"] = ("incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."),
        ["chargeDeclinedProcessingError"] = ("processing_error", "processing_error", "An error occurred while processing your card. Try again in a little bit."),
    };

    static readonly HashSet<string> AuthenticationCards = new(StringComparer.Ordinal) { "authenticationRequired", "threeDSecure2Required", "threeDSecureRequired" };

    readonly WebApplication _app;
    readonly CancellationTokenSource _stopping = new();
    readonly Lock _gate = new();
    readonly Queue<Fault> _faults = new();
    readonly List<FakeStripeRequest> _requests = [];
    readonly Dictionary<string, StoredResponse> _idempotency = new(StringComparer.Ordinal);
    readonly Dictionary<string, JsonObject> _intents = new(StringComparer.Ordinal);
    readonly List<string> _intentOrder = [];
    readonly Dictionary<string, JsonObject> _charges = new(StringComparer.Ordinal);
    readonly Dictionary<string, JsonObject> _refunds = new(StringComparer.Ordinal);
    readonly Dictionary<string, string?> _createdWithKey = new(StringComparer.Ordinal);

    FakeStripeServer(WebApplication app, int port, string apiKey)
    {
        _app = app;
        ApiKey = apiKey;
        ApiBase = $"http://127.0.0.1:{port}";
    }

    /// <summary>The secret key clients must send as <c>Authorization: Bearer …</c>.</summary>
    public string ApiKey { get; }

    /// <summary>Base URL for Stripe.net's <c>apiBase</c> (no trailing slash), e.g. http://127.0.0.1:40123.</summary>
    public string ApiBase { get; }

    /// <summary>Starts the server on 127.0.0.1 and a free port.</summary>
    public static async Task<FakeStripeServer> StartAsync(string apiKey = DefaultApiKey, CancellationToken cancellationToken = default)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var app = builder.Build();
        var server = new FakeStripeServer(app, port, apiKey);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return server;
    }

    /// <summary>The next <paramref name="count"/> requests answer <paramref name="statusCode"/> with Stripe's error body (500 api_error, 429 rate_limit, …) and are not processed.</summary>
    public void FailNext(int count, int statusCode = 500)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++) _faults.Enqueue(new Fault(statusCode, null));
        }
    }

    /// <summary>The next <paramref name="count"/> requests get no answer for <paramref name="duration"/> (then are processed, unless the client gave up).</summary>
    public void HangNext(int count, TimeSpan duration)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++) _faults.Enqueue(new Fault(null, duration));
        }
    }

    /// <summary>Every request answered so far, in the order they were answered.</summary>
    public IReadOnlyList<FakeStripeRequest> Requests
    {
        get { lock (_gate) return [.. _requests]; }
    }

    /// <summary>Requests to one path, e.g. "/v1/payment_intents".</summary>
    public IReadOnlyList<FakeStripeRequest> RequestsTo(string method, string path) =>
        [.. Requests.Where(r => r.Method == method && r.Path == path)];

    /// <summary>Every charge that took money, with what was refunded of it: for the money check.</summary>
    public IReadOnlyList<FakeStripeCharge> SucceededCharges
    {
        get
        {
            lock (_gate)
            {
                return
                [
                    .. _charges.Values.Where(c => (string?)c["status"] == "succeeded").Select(c => new FakeStripeCharge(
                        (string)c["payment_intent"]!, (string)c["id"]!, (long)c["amount"]!, (string)c["currency"]!,
                        (long)c["amount_refunded"]!, Metadata(c), _createdWithKey.GetValueOrDefault((string)c["payment_intent"]!))),
                ];
            }
        }
    }

    public IReadOnlyList<FakeStripeRefund> Refunds
    {
        get
        {
            lock (_gate)
            {
                return
                [
                    .. _refunds.Values.Select(r => new FakeStripeRefund((string)r["id"]!, (string)r["payment_intent"]!, (string)r["charge"]!,
                        (long)r["amount"]!, (string)r["currency"]!, (string)r["status"]!, Metadata(r), _createdWithKey.GetValueOrDefault((string)r["id"]!))),
                ];
            }
        }
    }

    /// <summary>Ids of every payment intent created (declined and unconfirmed ones too), oldest first.</summary>
    public IReadOnlyList<string> PaymentIntentIds
    {
        get { lock (_gate) return [.. _intentOrder]; }
    }

    /// <summary>The stored payment intent as Stripe would send it (for building webhook events), or null.</summary>
    public string? PaymentIntentJson(string id)
    {
        lock (_gate) return _intents.TryGetValue(id, out var intent) ? intent.ToJsonString() : null;
    }

    /// <summary>The stored charge (with its refunds list) as Stripe would send it, or null.</summary>
    public string? ChargeJson(string id)
    {
        lock (_gate) return _charges.TryGetValue(id, out var charge) ? charge.ToJsonString() : null;
    }

    /// <summary>A webhook event body (object "event") wrapping <paramref name="objectJson"/>.</summary>
    public static string EventJson(string type, string objectJson, string apiVersion = DefaultApiVersion, DateTimeOffset? created = null) =>
        new JsonObject
        {
            ["id"] = NewId("evt"),
            ["object"] = "event",
            ["api_version"] = apiVersion,
            ["created"] = (created ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(),
            ["data"] = new JsonObject { ["object"] = JsonNode.Parse(objectJson) },
            ["livemode"] = false,
            ["pending_webhooks"] = 1,
            ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
            ["type"] = type,
        }.ToJsonString();

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var method = request.Method;
        var path = request.Path.Value ?? "/";
        var parameters = request.HasFormContentType
            ? (await request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false)).ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal)
            : request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        var key = request.Headers["Idempotency-Key"].ToString();
        var idempotencyKey = key.Length > 0 ? key : null;

        Response response;
        string? fault = null;
        if (request.Headers.Authorization.ToString() != $"Bearer {ApiKey}")
        {
            response = new Response(401, Error("invalid_request_error", null, "Invalid API Key provided: " + Redact(request.Headers.Authorization.ToString())));
        }
        else if (TakeFault() is { } taken)
        {
            fault = taken.Describe();
            if (taken.Hang is { } hang)
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _stopping.Token);
                try
                {
                    await Task.Delay(hang, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    Record(new FakeStripeRequest(method, path, idempotencyKey, parameters, 499, false, fault));
                    return;
                }
                response = Process(method, path, parameters, idempotencyKey);
            }
            else
            {
                response = FaultResponse(taken.Status!.Value);
            }
        }
        else
        {
            response = Process(method, path, parameters, idempotencyKey);
        }

        Record(new FakeStripeRequest(method, path, idempotencyKey, parameters, response.Status, response.Replayed, fault));
        http.Response.StatusCode = response.Status;
        http.Response.ContentType = "application/json";
        http.Response.Headers["Request-Id"] = NewId("req");
        if (response.Replayed) http.Response.Headers["Idempotent-Replayed"] = "true";
        if (idempotencyKey is not null) http.Response.Headers["Idempotency-Key"] = idempotencyKey;
        await http.Response.WriteAsync(response.Body, http.RequestAborted).ConfigureAwait(false);
    }

    Fault? TakeFault()
    {
        lock (_gate) return _faults.TryDequeue(out var fault) ? fault : null;
    }

    void Record(FakeStripeRequest request)
    {
        lock (_gate) _requests.Add(request);
    }

    static Response FaultResponse(int status) => status == 429
        ? new Response(429, Error("invalid_request_error", "rate_limit", "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests."))
        : new Response(status, Error("api_error", null, "An unknown error occurred (injected by FakeStripeServer)."));

    Response Process(string method, string path, Dictionary<string, string> parameters, string? idempotencyKey)
    {
        lock (_gate)
        {
            if (method != "POST" || idempotencyKey is null)
            {
                return Route(method, path, parameters, idempotencyKey);
            }

            var fingerprint = $"{method} {path}?" + string.Join('&', parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
            if (_idempotency.TryGetValue(idempotencyKey, out var stored))
            {
                return stored.Fingerprint == fingerprint
                    ? new Response(stored.Status, stored.Body, Replayed: true)
                    : new Response(400, Error("idempotency_error", null,
                        $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{idempotencyKey}' if you meant to execute a different request."));
            }

            var response = Route(method, path, parameters, idempotencyKey);
            // Stripe stores the result of requests that reached the endpoint; failed validation is not stored.
            if (response.Status is 200 or 402)
            {
                _idempotency[idempotencyKey] = new StoredResponse(fingerprint, response.Status, response.Body);
            }
            return response;
        }
    }

    Response Route(string method, string path, Dictionary<string, string> p, string? idempotencyKey)
    {
        var segments = path.Trim('/').Split('/');
        return (method, segments) switch
        {
            ("POST", ["v1", "payment_intents"]) => CreatePaymentIntent(p, idempotencyKey),
            ("GET", ["v1", "payment_intents", var id]) => Retrieve(_intents, id, "payment_intent"),
            ("POST", ["v1", "refunds"]) => CreateRefund(p, idempotencyKey),
            ("GET", ["v1", "refunds", var id]) => Retrieve(_refunds, id, "refund"),
            ("GET", ["v1", "charges", var id]) => Retrieve(_charges, id, "charge"),
            _ => new Response(404, Error("invalid_request_error", null, $"Unrecognized request URL ({method}: {path}).")),
        };
    }

    static Response Retrieve(Dictionary<string, JsonObject> store, string id, string kind) =>
        store.TryGetValue(id, out var found)
            ? new Response(200, found.ToJsonString())
            : new Response(404, Error("invalid_request_error", "resource_missing", $"No such {kind}: '{id}'", param: "id"));

    Response CreatePaymentIntent(Dictionary<string, string> p, string? idempotencyKey)
    {
        if (!p.TryGetValue("amount", out var amountText)) return Missing("amount");
        if (!long.TryParse(amountText, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount < 1)
        {
            return Invalid("amount", "parameter_invalid_integer", $"Invalid positive integer: {amountText}");
        }
        if (!p.TryGetValue("currency", out var currency)) return Missing("currency");
        if (currency.Length != 3 || !currency.All(char.IsAsciiLetter)) return Invalid("currency", "parameter_invalid_string", $"Invalid currency: {currency}.");
        currency = currency.ToLowerInvariant();

        var types = p.Keys.Where(k => k.StartsWith("payment_method_types[", StringComparison.Ordinal)).Select(k => p[k]).ToList();
        var automatic = p.GetValueOrDefault("automatic_payment_methods[enabled]");
        if (types.Count > 0 && automatic is not null)
        {
            return Invalid("automatic_payment_methods", "parameter_unknown", "You may only specify one of these parameters: automatic_payment_methods, payment_method_types.");
        }

        var confirm = p.GetValueOrDefault("confirm") == "true";
        p.TryGetValue("payment_method", out var paymentMethod);
        var dataType = p.GetValueOrDefault("payment_method_data[type]");
        string? card = null;
        if (paymentMethod is not null && dataType is not null)
        {
            return Invalid("payment_method_data", "parameter_unknown", "You may only specify one of these parameters: payment_method, payment_method_data.");
        }
        if (paymentMethod is not null)
        {
            card = paymentMethod.StartsWith("pm_card_", StringComparison.Ordinal) ? paymentMethod["pm_card_".Length..] : null;
            if (card is null) return Invalid("payment_method", "resource_missing", $"No such PaymentMethod: '{paymentMethod}'");
        }
        else if (dataType is not null)
        {
            if (dataType != "card") return Invalid("payment_method_data[type]", "parameter_invalid_string", $"Invalid payment_method_data[type]: {dataType}");
            var token = p.GetValueOrDefault("payment_method_data[card][token]");
            if (token is null) return Missing("payment_method_data[card][token]");
            card = token.StartsWith("tok_", StringComparison.Ordinal) ? token["tok_".Length..] : null;
            if (card is null) return Invalid("payment_method_data[card][token]", "resource_missing", $"No such token: '{token}'");
        }
        if (confirm && automatic != "false" && types.Count == 0 && !p.ContainsKey("return_url") && card is not null)
        {
            return Invalid("return_url", "parameter_missing",
                "This PaymentIntent is configured to accept payment methods enabled in your Dashboard, some of which may require a full page redirect to succeed. Provide a return_url, or set automatic_payment_methods[enabled]=false.");
        }

        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var intentId = NewId("pi");
        var paymentMethodId = card is null ? null : NewId("pm");
        var metadata = MetadataFrom(p);
        var intent = new JsonObject
        {
            ["id"] = intentId,
            ["object"] = "payment_intent",
            ["amount"] = amount,
            ["amount_capturable"] = 0,
            ["amount_received"] = 0,
            ["capture_method"] = "automatic",
            ["client_secret"] = $"{intentId}_secret_{RandomNumberGenerator.GetString(Alphabet, 16)}",
            ["confirmation_method"] = "automatic",
            ["created"] = created,
            ["currency"] = currency,
            ["description"] = null,
            ["last_payment_error"] = null,
            ["latest_charge"] = null,
            ["livemode"] = false,
            ["metadata"] = metadata.DeepClone(),
            ["next_action"] = null,
            ["payment_method"] = paymentMethodId,
            ["payment_method_types"] = new JsonArray("card"),
            ["status"] = card is null ? "requires_payment_method" : "requires_confirmation",
        };
        _intents[intentId] = intent;
        _intentOrder.Add(intentId);
        _createdWithKey[intentId] = idempotencyKey;
        if (!confirm || card is null)
        {
            return new Response(200, intent.ToJsonString());
        }

        if (AuthenticationCards.Contains(card))
        {
            intent["status"] = "requires_action";
            intent["next_action"] = new JsonObject { ["type"] = "use_stripe_sdk" };
            return new Response(200, intent.ToJsonString());
        }

        // Like Stripe, confirming creates a charge that carries a copy of the intent's metadata.
        var chargeId = NewId("ch");
        var declined = DeclineCards.TryGetValue(card, out var decline);
        _charges[chargeId] = new JsonObject
        {
            ["id"] = chargeId,
            ["object"] = "charge",
            ["amount"] = amount,
            ["amount_captured"] = declined ? 0 : amount,
            ["amount_refunded"] = 0L,
            ["captured"] = !declined,
            ["created"] = created,
            ["currency"] = currency,
            ["failure_code"] = declined ? decline.Code : null,
            ["failure_message"] = declined ? decline.Message : null,
            ["livemode"] = false,
            ["metadata"] = metadata.DeepClone(),
            ["paid"] = !declined,
            ["payment_intent"] = intentId,
            ["payment_method"] = paymentMethodId,
            ["refunded"] = false,
            ["refunds"] = new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(),
                ["has_more"] = false,
                ["total_count"] = 0,
                ["url"] = $"/v1/charges/{chargeId}/refunds",
            },
            ["status"] = declined ? "failed" : "succeeded",
        };
        intent["latest_charge"] = chargeId;

        if (declined)
        {
            var error = new JsonObject
            {
                ["type"] = "card_error",
                ["code"] = decline.Code,
                ["decline_code"] = decline.DeclineCode,
                ["message"] = decline.Message,
                ["charge"] = chargeId,
                ["doc_url"] = $"https://docs.stripe.com/error-codes/{decline.Code.Replace('_', '-')}",
            };
            intent["status"] = "requires_payment_method";
            intent["payment_method"] = null;
            intent["last_payment_error"] = error.DeepClone();
            error["payment_intent"] = intent.DeepClone();
            return new Response(402, new JsonObject { ["error"] = error }.ToJsonString());
        }

        intent["status"] = "succeeded";
        intent["amount_received"] = amount;
        return new Response(200, intent.ToJsonString());
    }

    Response CreateRefund(Dictionary<string, string> p, string? idempotencyKey)
    {
        JsonObject? charge = null;
        if (p.TryGetValue("payment_intent", out var intentId))
        {
            if (!_intents.TryGetValue(intentId, out var intent)) return Invalid("payment_intent", "resource_missing", $"No such payment_intent: '{intentId}'");
            if ((string?)intent["status"] != "succeeded" || (string?)intent["latest_charge"] is not { } chargeId)
            {
                return Invalid("payment_intent", "charge_not_refundable", $"This PaymentIntent ({intentId}) does not have a successful charge to refund.");
            }
            charge = _charges[chargeId];
        }
        else if (p.TryGetValue("charge", out var chargeParam))
        {
            if (!_charges.TryGetValue(chargeParam, out charge)) return Invalid("charge", "resource_missing", $"No such charge: '{chargeParam}'");
        }
        else
        {
            return new Response(400, Error("invalid_request_error", "parameter_missing", "One of the following params should be provided for this request: payment_intent or charge."));
        }

        if (p.TryGetValue("reason", out var reason) && reason is not ("duplicate" or "fraudulent" or "requested_by_customer"))
        {
            return Invalid("reason", "parameter_invalid_string", $"Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer");
        }

        var chargeAmount = (long)charge["amount"]!;
        var refunded = (long)charge["amount_refunded"]!;
        var remaining = chargeAmount - refunded;
        if (remaining <= 0)
        {
            return Invalid("charge", "charge_already_refunded", $"Charge {(string)charge["id"]!} has already been refunded.");
        }
        var amount = remaining;
        if (p.TryGetValue("amount", out var amountText))
        {
            if (!long.TryParse(amountText, NumberStyles.None, CultureInfo.InvariantCulture, out amount) || amount < 1)
            {
                return Invalid("amount", "parameter_invalid_integer", $"Invalid positive integer: {amountText}");
            }
            if (amount > remaining)
            {
                return Invalid("amount", "amount_too_large", $"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})");
            }
        }

        var refundId = NewId("re");
        var refund = new JsonObject
        {
            ["id"] = refundId,
            ["object"] = "refund",
            ["amount"] = amount,
            ["charge"] = (string)charge["id"]!,
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["currency"] = (string)charge["currency"]!,
            ["metadata"] = MetadataFrom(p),
            ["payment_intent"] = (string)charge["payment_intent"]!,
            ["reason"] = reason,
            ["status"] = "succeeded",
        };
        _refunds[refundId] = refund;
        _createdWithKey[refundId] = idempotencyKey;
        charge["amount_refunded"] = refunded + amount;
        charge["refunded"] = refunded + amount == chargeAmount;
        var list = (JsonObject)charge["refunds"]!;
        ((JsonArray)list["data"]!).Insert(0, refund.DeepClone());
        list["total_count"] = ((JsonArray)list["data"]!).Count;
        return new Response(200, refund.ToJsonString());
    }

    static JsonObject MetadataFrom(Dictionary<string, string> p)
    {
        var metadata = new JsonObject();
        foreach (var (key, value) in p.Where(kv => kv.Key.StartsWith("metadata[", StringComparison.Ordinal) && kv.Key.EndsWith(']')).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            metadata[key["metadata[".Length..^1]] = value;
        }
        return metadata;
    }

    static Dictionary<string, string> Metadata(JsonObject o) =>
        ((JsonObject?)o["metadata"])?.ToDictionary(kv => kv.Key, kv => (string?)kv.Value ?? "", StringComparer.Ordinal) ?? [];

    static Response Missing(string param) =>
        new(400, Error("invalid_request_error", "parameter_missing", $"Missing required param: {param}.", param));

    static Response Invalid(string param, string code, string message) =>
        new(400, Error("invalid_request_error", code, message, param));

    static string Error(string type, string? code, string message, string? param = null)
    {
        var error = new JsonObject { ["type"] = type, ["message"] = message };
        if (code is not null) error["code"] = code;
        if (param is not null) error["param"] = param;
        return new JsonObject { ["error"] = error }.ToJsonString();
    }

    static string Redact(string authorization)
    {
        var key = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..] : authorization;
        return key.Length <= 8 ? "****" : key[..8] + "****" + key[^4..];
    }

    const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    static string NewId(string prefix) => $"{prefix}_{RandomNumberGenerator.GetString(Alphabet, 24)}";

    sealed record Fault(int? Status, TimeSpan? Hang)
    {
        public string Describe() => Status is { } status
            ? string.Create(CultureInfo.InvariantCulture, $"status {status}")
            : string.Create(CultureInfo.InvariantCulture, $"hang {Hang!.Value.TotalMilliseconds:0} ms");
    }

    sealed record StoredResponse(string Fingerprint, int Status, string Body);

    sealed record Response(int Status, string Body, bool Replayed = false);
}

/// <summary>One request the fake answered. <see cref="Status"/> 499: the client gave up during an injected hang.</summary>
public sealed record FakeStripeRequest(string Method, string Path, string? IdempotencyKey, IReadOnlyDictionary<string, string> Parameters,
    int Status, bool Replayed, string? Fault);

/// <summary>A charge that took money; <see cref="AmountRefunded"/> of it went back. Amounts in minor units.</summary>
public sealed record FakeStripeCharge(string PaymentIntentId, string ChargeId, long Amount, string Currency, long AmountRefunded,
    IReadOnlyDictionary<string, string> Metadata, string? IdempotencyKey);

public sealed record FakeStripeRefund(string RefundId, string PaymentIntentId, string ChargeId, long Amount, string Currency, string Status,
    IReadOnlyDictionary<string, string> Metadata, string? IdempotencyKey);

using System.Net;
using System.Text;
using BookMyShow.Contracts.Payments;
using BookMyShow.Gateway.Integration;
using BookMyShow.TestInfrastructure;
using BookMyShow.TestInfrastructure.FakeStripe;
using BookMyShow.Workers.Payments;
using MassTransit;
using MassTransit.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stripe;

namespace BookMyShow.Payments.Tests.Integration;

/// <summary>
/// POST /v1/webhooks/stripe hosted on its own (routing, the endpoint, a test bus) and fed events signed like
/// Stripe's, whose objects come from the fake Stripe server after real charges and refunds through Stripe.net.
/// </summary>
public sealed class StripeWebhooksTests : IAsyncLifetime
{
    const string Secret = "whsec_test_bookmyshow";
    FakeStripeServer _stripe = null!;
    ServiceProvider _payments = null!;
    WebApplication? _app;
    Uri? _gateway;
    ITestHarness _harness = null!;

    public async Task InitializeAsync()
    {
        _stripe = await FakeStripeServer.StartAsync();
        _payments = TestPayments.Provider(TestPayments.Stripe(_stripe));
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        await _payments.DisposeAsync();
        await _stripe.DisposeAsync();
    }

    async Task StartGatewayAsync(string? secret = Secret)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [StripeWebhooks.SecretKey] = secret });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.AddMassTransitTestHarness();
        _app = builder.Build();
        _app.MapStripeWebhooks();
        await _app.StartAsync();
        _harness = _app.Services.GetRequiredService<ITestHarness>();
        _gateway = new Uri($"http://127.0.0.1:{port}");
    }

    async Task<HttpResponseMessage> PostAsync(string body, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, StripeWebhooks.Path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (signature is not null) request.Headers.TryAddWithoutValidation(StripeWebhooks.SignatureHeader, signature);
        using var http = new HttpClient { BaseAddress = _gateway };
        return await http.SendAsync(request);
    }

    Task<HttpResponseMessage> PostSignedAsync(string body) => PostAsync(body, StripeWebhookSignature.Header(body, Secret));

    // Publishing happens before the endpoint answers, so after the answer the list is complete.
    List<object> Published() => [.. _harness.Published.Select<object>().Select(m => m.MessageObject)];

    async Task<string> ChargedIntentAsync(string token = "pm_card_visa", string holdId = "h_hook")
    {
        await _payments.Gateway().ChargeAsync(TestPayments.Charge(token, 1500.50m, "INR", holdId, "a_9"), CancellationToken.None);
        return _stripe.PaymentIntentIds[^1];
    }

    static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"\"status\":{(int)status}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Signed_payment_intent_succeeded_publishes_payment_succeeded_in_major_units()
    {
        await StartGatewayAsync();
        var intentId = await ChargedIntentAsync();
        var body = FakeStripeServer.EventJson("payment_intent.succeeded", _stripe.PaymentIntentJson(intentId)!);

        using var response = await PostSignedAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var succeeded = Assert.IsType<PaymentSucceeded>(Assert.Single(Published()));
        Assert.Equal(("h_hook", "s_1", "a_9", intentId, 1500.50m, "INR"),
            (succeeded.HoldId, succeeded.ShowId, succeeded.AttemptId, succeeded.PaymentIntentId, succeeded.Amount, succeeded.Currency));
    }

    [Fact]
    public async Task Signed_payment_failed_publishes_payment_declined_with_the_decline_code()
    {
        await StartGatewayAsync();
        var intentId = await ChargedIntentAsync("pm_card_chargeDeclinedInsufficientFunds", "h_poor");
        var body = FakeStripeServer.EventJson("payment_intent.payment_failed", _stripe.PaymentIntentJson(intentId)!);

        using var response = await PostSignedAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var declined = Assert.IsType<PaymentDeclined>(Assert.Single(Published()));
        Assert.Equal(("h_poor", "a_9", "insufficient_funds"), (declined.HoldId, declined.AttemptId, declined.Code));
    }

    [Fact]
    public async Task Signed_charge_refunded_publishes_payment_refunded()
    {
        await StartGatewayAsync();
        var intentId = await ChargedIntentAsync(holdId: "h_back");
        var refund = await _payments.Gateway().RefundAsync(TestPayments.Refund(intentId, holdId: "h_back"), CancellationToken.None);
        var refundId = Assert.IsType<RefundResult.Refunded>(refund).RefundId;
        var chargeId = Assert.Single(_stripe.SucceededCharges).ChargeId;
        var body = FakeStripeServer.EventJson("charge.refunded", _stripe.ChargeJson(chargeId)!);

        using var response = await PostSignedAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var refunded = Assert.IsType<PaymentRefunded>(Assert.Single(Published()));
        Assert.Equal(("h_back", "s_1", intentId, refundId, 1500.50m, "INR"),
            (refunded.HoldId, refunded.ShowId, refunded.PaymentIntentId, refunded.RefundId, refunded.Amount, refunded.Currency));
    }

    [Fact]
    public async Task Bad_signature_is_rejected_and_nothing_is_published()
    {
        await StartGatewayAsync();
        var body = FakeStripeServer.EventJson("payment_intent.succeeded", _stripe.PaymentIntentJson(await ChargedIntentAsync())!);

        using var wrongSecret = await PostAsync(body, StripeWebhookSignature.Header(body, "whsec_someone_else"));
        using var tampered = await PostAsync(body.Replace("150050", "1", StringComparison.Ordinal), StripeWebhookSignature.Header(body, Secret));
        using var stale = await PostAsync(body, StripeWebhookSignature.Header(body, Secret, DateTimeOffset.UtcNow.AddMinutes(-10)));
        using var missing = await PostAsync(body, null);
        using var garbled = await PostAsync(body, "not a signature");

        foreach (var response in new[] { wrongSecret, tampered, stale, missing, garbled })
        {
            await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        }
        Assert.Empty(Published());
    }

    [Fact]
    public async Task Signed_body_that_is_not_an_event_is_rejected()
    {
        await StartGatewayAsync();

        using var notJson = await PostSignedAsync("this is not json");
        using var notEvent = await PostSignedAsync("[1,2,3]");
        using var empty = await PostSignedAsync("{}");

        await AssertProblemAsync(notJson, HttpStatusCode.BadRequest);
        await AssertProblemAsync(notEvent, HttpStatusCode.BadRequest);
        await AssertProblemAsync(empty, HttpStatusCode.BadRequest);
        Assert.Empty(Published());
    }

    [Fact]
    public async Task Without_a_configured_secret_the_endpoint_is_not_found()
    {
        await StartGatewayAsync(secret: null);
        var body = FakeStripeServer.EventJson("payment_intent.succeeded", _stripe.PaymentIntentJson(await ChargedIntentAsync())!);

        using var response = await PostSignedAsync(body);

        await AssertProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Empty(Published());
    }

    [Fact]
    public async Task Other_event_types_and_foreign_intents_are_acknowledged_and_ignored()
    {
        await StartGatewayAsync();
        var ours = _stripe.PaymentIntentJson(await ChargedIntentAsync())!;
        var foreign = ours.Replace("\"hold_id\"", "\"order_id\"", StringComparison.Ordinal);

        using var otherType = await PostSignedAsync(FakeStripeServer.EventJson("payment_intent.created", ours));
        using var notOurs = await PostSignedAsync(FakeStripeServer.EventJson("payment_intent.succeeded", foreign));

        Assert.Equal(HttpStatusCode.OK, otherType.StatusCode);
        Assert.Equal(HttpStatusCode.OK, notOurs.StatusCode);
        Assert.Empty(Published());
    }

    [Fact]
    public void Translation_reads_a_verified_event_on_another_api_version()
    {
        var intent = """
            {"id":"pi_1","object":"payment_intent","amount":1500,"amount_received":1500,"currency":"jpy","status":"succeeded",
             "metadata":{"hold_id":"h_jp","show_id":"s_jp","attempt_id":"a_1"}}
            """;
        var body = FakeStripeServer.EventJson("payment_intent.succeeded", intent, apiVersion: "2020-08-27");
        var stripeEvent = EventUtility.ConstructEvent(body, StripeWebhookSignature.Header(body, Secret), Secret, throwOnApiVersionMismatch: false);

        var succeeded = Assert.IsType<PaymentSucceeded>(StripeWebhooks.Translate(stripeEvent));

        Assert.Equal(("h_jp", "pi_1", 1500m, "JPY"), (succeeded.HoldId, succeeded.PaymentIntentId, succeeded.Amount, succeeded.Currency));
    }
}

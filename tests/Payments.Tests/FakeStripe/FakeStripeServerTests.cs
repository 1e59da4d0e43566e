using BookMyShow.TestInfrastructure.FakeStripe;
using Stripe;

namespace BookMyShow.Payments.Tests.FakeStripe;

/// <summary>The fake answers Stripe.net the way Stripe does where our tests depend on it.</summary>
public sealed class FakeStripeServerTests : IAsyncLifetime
{
    FakeStripeServer _stripe = null!;

    public async Task InitializeAsync() => _stripe = await FakeStripeServer.StartAsync();

    public async Task DisposeAsync() => await _stripe.DisposeAsync();

    StripeClient Client(string? apiKey = null) => new(new StripeClientOptions
    {
        ApiKey = apiKey ?? _stripe.ApiKey,
        ApiBase = _stripe.ApiBase,
        HttpClient = new SystemNetHttpClient(maxNetworkRetries: 0),
    });

    static PaymentIntentCreateOptions Intent(long amount, string paymentMethod = "pm_card_visa") => new()
    {
        Amount = amount,
        Currency = "inr",
        Confirm = true,
        PaymentMethod = paymentMethod,
        AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = false },
        Metadata = new Dictionary<string, string> { ["hold_id"] = "h_1" },
    };

    [Fact]
    public async Task Created_intent_reads_back_as_stripe_net_objects()
    {
        var service = new PaymentIntentService(Client());

        var created = await service.CreateAsync(Intent(2500));
        var read = await service.GetAsync(created.Id);

        Assert.Equal(("succeeded", 2500L, "inr", "h_1"), (read.Status, read.AmountReceived, read.Currency, read.Metadata["hold_id"]));
        var charge = await new ChargeService(Client()).GetAsync(read.LatestChargeId);
        Assert.Equal(("succeeded", created.Id, "h_1"), (charge.Status, charge.PaymentIntentId, charge.Metadata["hold_id"]));
    }

    [Fact]
    public async Task Same_key_with_other_parameters_is_an_idempotency_error()
    {
        var service = new PaymentIntentService(Client());
        await service.CreateAsync(Intent(100), new RequestOptions { IdempotencyKey = "k_1" });

        var error = await Assert.ThrowsAsync<StripeException>(() => service.CreateAsync(Intent(200), new RequestOptions { IdempotencyKey = "k_1" }));

        Assert.Equal(("idempotency_error", 400), (error.StripeError.Type, (int)error.HttpStatusCode));
        Assert.Single(_stripe.SucceededCharges);
    }

    [Fact]
    public async Task Replayed_decline_has_the_same_status_and_body()
    {
        var service = new PaymentIntentService(Client());
        var options = new RequestOptions { IdempotencyKey = "k_decline" };

        var first = await Assert.ThrowsAsync<StripeException>(() => service.CreateAsync(Intent(100, "pm_card_chargeDeclined"), options));
        var again = await Assert.ThrowsAsync<StripeException>(() => service.CreateAsync(Intent(100, "pm_card_chargeDeclined"), options));

        Assert.Equal(("card_error", "card_declined", "generic_decline"), (first.StripeError.Type, first.StripeError.Code, first.StripeError.DeclineCode));
        Assert.Equal(402, (int)again.HttpStatusCode);
        Assert.Equal(first.StripeResponse.Content, again.StripeResponse.Content);
        Assert.Equal("requires_payment_method", first.StripeError.PaymentIntent.Status);
        Assert.Single(_stripe.PaymentIntentIds);
    }

    [Fact]
    public async Task Wrong_api_key_is_refused_with_stripes_error_shape()
    {
        var error = await Assert.ThrowsAsync<StripeException>(() => new PaymentIntentService(Client("sk_test_wrong")).CreateAsync(Intent(100)));

        Assert.Equal((401, "invalid_request_error"), ((int)error.HttpStatusCode, error.StripeError.Type));
        Assert.Empty(_stripe.PaymentIntentIds);
    }

    [Fact]
    public async Task Confirming_with_automatic_payment_methods_needs_a_return_url()
    {
        var options = Intent(100);
        options.AutomaticPaymentMethods = null;

        var error = await Assert.ThrowsAsync<StripeException>(() => new PaymentIntentService(Client()).CreateAsync(options));

        Assert.Equal("return_url", error.StripeError.Param);
    }

    [Fact]
    public async Task Refund_beyond_the_charge_is_refused()
    {
        var intent = await new PaymentIntentService(Client()).CreateAsync(Intent(100));
        var refunds = new RefundService(Client());
        await refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id });

        var error = await Assert.ThrowsAsync<StripeException>(() => refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id }));

        Assert.Equal("charge_already_refunded", error.StripeError.Code);
        Assert.Single(_stripe.Refunds);
    }

    [Fact]
    public void Webhook_signature_is_the_one_stripe_net_verifies()
    {
        const string payload = "{\"id\":\"evt_1\",\"object\":\"event\"}";
        var at = DateTimeOffset.UtcNow;

        var header = StripeWebhookSignature.Header(payload, "whsec_x", at);

        Assert.Equal(EventUtility.GenerateSignatureHeader(payload, "whsec_x", at.ToUnixTimeSeconds()), header);
        EventUtility.ValidateSignature(payload, header, "whsec_x");
    }
}

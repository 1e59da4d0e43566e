using BookMyShow.TestInfrastructure.FakeStripe;
using BookMyShow.Workers.Payments;
using Microsoft.Extensions.DependencyInjection;

namespace BookMyShow.Payments.Tests.Payments;

/// <summary>The real Stripe.net client against the local Stripe-compatible server.</summary>
public sealed class StripePaymentGatewayTests : IAsyncLifetime
{
    FakeStripeServer _stripe = null!;
    ServiceProvider _provider = null!;

    public async Task InitializeAsync() => _stripe = await FakeStripeServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_provider is not null) await _provider.DisposeAsync();
        await _stripe.DisposeAsync();
    }

    IPaymentGateway Gateway(Dictionary<string, string?>? settings = null)
    {
        _provider = TestPayments.Provider(TestPayments.Stripe(_stripe, settings));
        var gateway = _provider.Gateway();
        Assert.IsType<StripePaymentGateway>(gateway);
        return gateway;
    }

    [Fact]
    public async Task Successful_charge_sends_minor_units_metadata_and_the_idempotency_key()
    {
        var result = await Gateway().ChargeAsync(TestPayments.Charge("pm_card_visa", 1500.50m, "INR", "h_42", "a_7"), CancellationToken.None);

        var succeeded = Assert.IsType<ChargeResult.Succeeded>(result);
        var request = Assert.Single(_stripe.RequestsTo("POST", "/v1/payment_intents"));
        Assert.Equal("bms-charge-h_42-a_7", request.IdempotencyKey);
        Assert.Equal("150050", request.Parameters["amount"]);
        Assert.Equal("inr", request.Parameters["currency"]);
        Assert.Equal("true", request.Parameters["confirm"]);
        Assert.Equal("pm_card_visa", request.Parameters["payment_method"]);
        Assert.Equal("false", request.Parameters["automatic_payment_methods[enabled]"]);
        Assert.Equal("h_42", request.Parameters["metadata[hold_id]"]);
        Assert.Equal("a_7", request.Parameters["metadata[attempt_id]"]);
        Assert.Equal("s_1", request.Parameters["metadata[show_id]"]);
        var charge = Assert.Single(_stripe.SucceededCharges);
        Assert.Equal(succeeded.PaymentIntentId, charge.PaymentIntentId);
        Assert.Equal(150050, charge.Amount);
    }

    [Fact]
    public async Task Zero_decimal_currency_is_sent_in_whole_units()
    {
        var result = await Gateway().ChargeAsync(TestPayments.Charge(amount: 1500m, currency: "JPY"), CancellationToken.None);

        Assert.IsType<ChargeResult.Succeeded>(result);
        Assert.Equal("1500", Assert.Single(_stripe.RequestsTo("POST", "/v1/payment_intents")).Parameters["amount"]);
        Assert.Equal("jpy", Assert.Single(_stripe.SucceededCharges).Currency);
    }

    [Fact]
    public async Task Card_token_is_sent_as_payment_method_data()
    {
        var result = await Gateway().ChargeAsync(TestPayments.Charge("tok_visa"), CancellationToken.None);

        Assert.IsType<ChargeResult.Succeeded>(result);
        var request = Assert.Single(_stripe.RequestsTo("POST", "/v1/payment_intents"));
        Assert.Equal("card", request.Parameters["payment_method_data[type]"]);
        Assert.Equal("tok_visa", request.Parameters["payment_method_data[card][token]"]);
        Assert.False(request.Parameters.ContainsKey("payment_method"));
    }

    [Theory]
    [InlineData("pm_card_chargeDeclined", "card_declined")]
    [InlineData("tok_chargeDeclined", "card_declined")]
    [InlineData("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds")]
    [InlineData("tok_chargeDeclinedExpiredCard", "expired_card")]
    public async Task Declined_card_is_declined_with_the_card_error_code(string token, string code)
    {
        var result = await Gateway().ChargeAsync(TestPayments.Charge(token), CancellationToken.None);

        var declined = Assert.IsType<ChargeResult.Declined>(result);
        Assert.Equal(code, declined.Code);
        Assert.False(string.IsNullOrEmpty(declined.Message));
        Assert.Equal(402, Assert.Single(_stripe.RequestsTo("POST", "/v1/payment_intents")).Status);
        Assert.Empty(_stripe.SucceededCharges);
    }

    [Fact]
    public async Task Card_that_needs_authentication_is_declined_as_authentication_required()
    {
        var result = await Gateway().ChargeAsync(TestPayments.Charge("pm_card_authenticationRequired"), CancellationToken.None);

        Assert.Equal("authentication_required", Assert.IsType<ChargeResult.Declined>(result).Code);
        Assert.Empty(_stripe.SucceededCharges);
    }

    [Fact]
    public async Task Server_error_then_success_retries_with_the_same_key_and_charges_once()
    {
        _stripe.FailNext(1, 500);

        var result = await Gateway().ChargeAsync(TestPayments.Charge(), CancellationToken.None);

        Assert.IsType<ChargeResult.Succeeded>(result);
        var requests = _stripe.RequestsTo("POST", "/v1/payment_intents");
        Assert.Equal([500, 200], requests.Select(r => r.Status));
        Assert.All(requests, r => Assert.Equal("bms-charge-h_1-a_1", r.IdempotencyKey));
        Assert.Single(_stripe.SucceededCharges);
    }

    [Fact]
    public async Task Rate_limited_requests_are_retried_until_they_pass()
    {
        _stripe.FailNext(2, 429);

        var result = await Gateway().ChargeAsync(TestPayments.Charge(), CancellationToken.None);

        Assert.IsType<ChargeResult.Succeeded>(result);
        Assert.Equal([429, 429, 200], _stripe.RequestsTo("POST", "/v1/payment_intents").Select(r => r.Status));
        Assert.Single(_stripe.SucceededCharges);
    }

    [Fact]
    public async Task Provider_that_keeps_failing_is_unavailable_after_max_attempts()
    {
        _stripe.FailNext(10, 503);

        var result = await Gateway(new() { ["Payments:MaxAttempts"] = "3" }).ChargeAsync(TestPayments.Charge(), CancellationToken.None);

        Assert.Contains("503", Assert.IsType<ChargeResult.Unavailable>(result).Reason);
        Assert.Equal(3, _stripe.RequestsTo("POST", "/v1/payment_intents").Count);
        Assert.Empty(_stripe.SucceededCharges);
    }

    [Fact]
    public async Task Hanging_provider_times_out_each_call_and_is_unavailable_after_max_attempts()
    {
        _stripe.HangNext(10, TimeSpan.FromSeconds(30));

        var result = await Gateway(new() { ["Payments:Timeout"] = "00:00:00.300", ["Payments:MaxAttempts"] = "3" })
            .ChargeAsync(TestPayments.Charge(), CancellationToken.None);

        Assert.Contains("no answer within 0.3 s", Assert.IsType<ChargeResult.Unavailable>(result).Reason);
        // The fake notes a request when its client gives up (status 499); wait for the last one to be noted.
        await TestInfrastructure.Deadline.UntilAsync(() => _stripe.RequestsTo("POST", "/v1/payment_intents").Count == 3,
            TimeSpan.FromSeconds(10), "three abandoned charge requests");
        Assert.All(_stripe.RequestsTo("POST", "/v1/payment_intents"), r => Assert.Equal(499, r.Status));
        Assert.Empty(_stripe.SucceededCharges);
    }

    [Fact]
    public async Task Timeout_then_answer_charges_once()
    {
        _stripe.HangNext(1, TimeSpan.FromSeconds(30));

        var result = await Gateway(new() { ["Payments:Timeout"] = "00:00:00.300" }).ChargeAsync(TestPayments.Charge(), CancellationToken.None);

        Assert.IsType<ChargeResult.Succeeded>(result);
        Assert.Single(_stripe.SucceededCharges);
    }

    [Fact]
    public async Task Repeated_charge_gets_the_same_intent_from_the_provider()
    {
        var gateway = Gateway();

        var first = Assert.IsType<ChargeResult.Succeeded>(await gateway.ChargeAsync(TestPayments.Charge(), CancellationToken.None));
        var again = Assert.IsType<ChargeResult.Succeeded>(await gateway.ChargeAsync(TestPayments.Charge(), CancellationToken.None));

        Assert.Equal(first.PaymentIntentId, again.PaymentIntentId);
        Assert.True(_stripe.RequestsTo("POST", "/v1/payment_intents")[1].Replayed);
        Assert.Single(_stripe.SucceededCharges);
    }

    [Fact]
    public async Task New_attempt_of_the_same_hold_is_a_new_charge()
    {
        var gateway = Gateway();

        var first = Assert.IsType<ChargeResult.Succeeded>(await gateway.ChargeAsync(TestPayments.Charge(attemptId: "a_1"), CancellationToken.None));
        var second = Assert.IsType<ChargeResult.Succeeded>(await gateway.ChargeAsync(TestPayments.Charge(attemptId: "a_2"), CancellationToken.None));

        Assert.NotEqual(first.PaymentIntentId, second.PaymentIntentId);
        Assert.Equal(2, _stripe.SucceededCharges.Count);
    }

    [Fact]
    public async Task Wrong_api_key_is_unavailable_without_retrying()
    {
        var result = await Gateway(new() { ["Payments:Stripe:ApiKey"] = "sk_test_wrong" }).ChargeAsync(TestPayments.Charge(), CancellationToken.None);

        Assert.Contains("401", Assert.IsType<ChargeResult.Unavailable>(result).Reason);
        Assert.Single(_stripe.RequestsTo("POST", "/v1/payment_intents"));
    }

    [Fact]
    public async Task Amount_finer_than_the_currency_allows_is_declined_without_calling_stripe()
    {
        var result = await Gateway().ChargeAsync(TestPayments.Charge(amount: 10.005m, currency: "INR"), CancellationToken.None);

        Assert.Equal("invalid_charge_amount", Assert.IsType<ChargeResult.Declined>(result).Code);
        Assert.Empty(_stripe.Requests);
    }

    [Fact]
    public async Task Refund_gives_the_charge_back_once_with_its_idempotency_key()
    {
        var gateway = Gateway();
        var charged = Assert.IsType<ChargeResult.Succeeded>(await gateway.ChargeAsync(TestPayments.Charge(), CancellationToken.None));
        _stripe.FailNext(1, 500);

        var refunded = Assert.IsType<RefundResult.Refunded>(await gateway.RefundAsync(TestPayments.Refund(charged.PaymentIntentId), CancellationToken.None));
        var again = Assert.IsType<RefundResult.Refunded>(await gateway.RefundAsync(TestPayments.Refund(charged.PaymentIntentId), CancellationToken.None));

        Assert.Equal(refunded.RefundId, again.RefundId);
        var refund = Assert.Single(_stripe.Refunds);
        Assert.Equal(refunded.RefundId, refund.RefundId);
        Assert.Equal(charged.PaymentIntentId, refund.PaymentIntentId);
        Assert.Equal(150050, refund.Amount);
        Assert.Equal($"bms-refund-h_1-{charged.PaymentIntentId}", refund.IdempotencyKey);
        Assert.Equal("h_1", refund.Metadata["hold_id"]);
        var charge = Assert.Single(_stripe.SucceededCharges);
        Assert.Equal(charge.Amount, charge.AmountRefunded);
    }

    [Fact]
    public async Task Refund_of_an_unknown_intent_is_unavailable()
    {
        var result = await Gateway().RefundAsync(TestPayments.Refund("pi_unknown"), CancellationToken.None);

        Assert.Contains("resource_missing", Assert.IsType<RefundResult.Unavailable>(result).Reason);
        Assert.Empty(_stripe.Refunds);
    }
}

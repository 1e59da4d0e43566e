using BookMyShow.Contracts.Payments;
using BookMyShow.Core.Messaging;
using BookMyShow.TestInfrastructure;
using BookMyShow.TestInfrastructure.FakeStripe;
using BookMyShow.Workers.Payments;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BookMyShow.Payments.Tests.Payments;

/// <summary>The payments endpoint as PaymentEndpoints declares it, on MassTransit's in-memory test harness.</summary>
public sealed class PaymentConsumerTests : IAsyncLifetime
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    FakeStripeServer _stripe = null!;
    ServiceProvider _provider = null!;
    ITestHarness _harness = null!;

    public async Task InitializeAsync() => _stripe = await FakeStripeServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_harness is not null) await _harness.Stop();
        if (_provider is not null) await _provider.DisposeAsync();
        await _stripe.DisposeAsync();
    }

    async Task StartAsync(Dictionary<string, string?> settings)
    {
        var services = TestPayments.Services(settings);
        var endpoints = new PaymentEndpoints();
        services.AddMassTransitTestHarness(x =>
        {
            endpoints.AddConsumers(x);
            x.UsingInMemory((context, bus) => endpoints.ConfigureEndpoints(context, bus, TransportKind.InMemory));
        });
        _provider = services.BuildServiceProvider(validateScopes: true);
        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    async Task SendAsync<T>(T message) where T : class
    {
        var endpoint = await _harness.Bus.GetSendEndpoint(new Uri($"queue:{PaymentEndpoints.QueueName}"));
        await endpoint.Send(message);
    }

    Task<T> PublishedAsync<T>(string what, Func<T, bool>? match = null) where T : class =>
        Deadline.UntilAsync(() => Task.FromResult(Published(match).FirstOrDefault()), Wait, what);

    List<T> Published<T>(Func<T, bool>? match = null) where T : class =>
        [.. _harness.Published.Select<T>().Select(m => m.Context.Message).Where(m => match is null || match(m))];

    [Fact]
    public async Task Successful_charge_publishes_payment_succeeded()
    {
        await StartAsync(TestPayments.Fast());

        await SendAsync(TestPayments.Charge("pm_card_visa", 750m, "INR", "h_ok", "a_1"));

        var succeeded = await PublishedAsync<PaymentSucceeded>("PaymentSucceeded");
        Assert.Equal(("h_ok", "s_1", "a_1", 750m, "INR"), (succeeded.HoldId, succeeded.ShowId, succeeded.AttemptId, succeeded.Amount, succeeded.Currency));
        Assert.StartsWith("pi_", succeeded.PaymentIntentId);
        Assert.Empty(Published<PaymentDeclined>());
        Assert.Empty(Published<PaymentFailed>());
    }

    [Fact]
    public async Task Declined_card_publishes_payment_declined()
    {
        await StartAsync(TestPayments.Fast());

        await SendAsync(TestPayments.Charge("pm_card_chargeDeclinedInsufficientFunds", holdId: "h_poor"));

        var declined = await PublishedAsync<PaymentDeclined>("PaymentDeclined");
        Assert.Equal(("h_poor", "a_1", "insufficient_funds"), (declined.HoldId, declined.AttemptId, declined.Code));
        Assert.Empty(Published<PaymentSucceeded>());
    }

    [Fact]
    public async Task Provider_that_never_answers_publishes_payment_failed()
    {
        await StartAsync(TestPayments.Fast(new() { ["Payments:Timeout"] = "00:00:00.100", ["Payments:MaxAttempts"] = "2" }));

        await SendAsync(TestPayments.Charge("pm_card_simulateTimeout", holdId: "h_slow"));

        var failed = await PublishedAsync<PaymentFailed>("PaymentFailed");
        Assert.Equal("h_slow", failed.HoldId);
        Assert.Contains("after 2 attempts", failed.Reason);
        Assert.Empty(Published<PaymentSucceeded>());
    }

    [Fact]
    public async Task Refund_publishes_payment_refunded()
    {
        await StartAsync(TestPayments.Fast());

        await SendAsync(TestPayments.Refund("pi_sim_1", 750m, "INR", "h_late"));

        var refunded = await PublishedAsync<PaymentRefunded>("PaymentRefunded");
        Assert.Equal(("h_late", "pi_sim_1", 750m, "INR"), (refunded.HoldId, refunded.PaymentIntentId, refunded.Amount, refunded.Currency));
        Assert.StartsWith("re_", refunded.RefundId);
    }

    [Fact]
    public async Task Redelivered_charge_through_stripe_publishes_the_same_intent_and_charges_once()
    {
        await StartAsync(TestPayments.Stripe(_stripe));
        var charge = TestPayments.Charge("pm_card_visa", holdId: "h_twice");

        await SendAsync(charge);
        await SendAsync(charge);

        await Deadline.UntilAsync(() => Published<PaymentSucceeded>().Count == 2, Wait, "two PaymentSucceeded");
        var intents = Published<PaymentSucceeded>().Select(p => p.PaymentIntentId).Distinct().ToList();
        Assert.Equal(Assert.Single(_stripe.SucceededCharges).PaymentIntentId, Assert.Single(intents));
    }

    [Fact]
    public async Task Declined_card_through_stripe_publishes_payment_declined()
    {
        await StartAsync(TestPayments.Stripe(_stripe));

        await SendAsync(TestPayments.Charge("tok_chargeDeclined", holdId: "h_declined"));

        Assert.Equal("card_declined", (await PublishedAsync<PaymentDeclined>("PaymentDeclined")).Code);
        Assert.Empty(_stripe.SucceededCharges);
    }

    [Fact]
    public async Task Refund_that_fails_at_first_is_tried_again_and_published_once_it_passes()
    {
        await StartAsync(TestPayments.Stripe(_stripe, new()
        {
            ["Payments:MaxAttempts"] = "2",
            ["Payments:RefundRetryIntervals:0"] = "00:00:00.050",
            ["Payments:RefundRetryIntervals:1"] = "00:00:00.050",
        }));
        await SendAsync(TestPayments.Charge(holdId: "h_refund"));
        var charged = await PublishedAsync<PaymentSucceeded>("PaymentSucceeded");
        _stripe.FailNext(3, 500);

        await SendAsync(TestPayments.Refund(charged.PaymentIntentId, holdId: "h_refund"));

        var refunded = await PublishedAsync<PaymentRefunded>("PaymentRefunded");
        Assert.Equal(Assert.Single(_stripe.Refunds).RefundId, refunded.RefundId);
        Assert.Equal([500, 500, 500, 200], _stripe.RequestsTo("POST", "/v1/refunds").Select(r => r.Status));
        Assert.Empty(Published<Fault<RefundPayment>>());
    }

    [Fact]
    public async Task Refund_that_stays_unavailable_faults_to_the_error_queue_instead_of_being_dropped()
    {
        await StartAsync(TestPayments.Stripe(_stripe, new()
        {
            ["Payments:MaxAttempts"] = "2",
            ["Payments:RefundRetryIntervals:0"] = "00:00:00.050",
            ["Payments:RefundRetryIntervals:1"] = "00:00:00.050",
        }));
        await SendAsync(TestPayments.Charge(holdId: "h_stuck"));
        var charged = await PublishedAsync<PaymentSucceeded>("PaymentSucceeded");
        _stripe.FailNext(1000, 503);

        await SendAsync(TestPayments.Refund(charged.PaymentIntentId, holdId: "h_stuck"));

        var fault = await PublishedAsync<Fault<RefundPayment>>("Fault<RefundPayment>");
        Assert.Equal("h_stuck", fault.Message.HoldId);
        Assert.Contains(fault.Exceptions, e => e.ExceptionType == typeof(PaymentProviderUnavailableException).FullName);
        // Three consumer tries (the first and two retries), each with two provider calls, all with the same key.
        var requests = _stripe.RequestsTo("POST", "/v1/refunds");
        Assert.Equal(6, requests.Count);
        Assert.Single(requests.Select(r => r.IdempotencyKey).Distinct());
        Assert.Empty(Published<PaymentRefunded>());
        Assert.Empty(_stripe.Refunds);
    }
}

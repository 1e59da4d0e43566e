using BookMyShow.Contracts.Payments;
using BookMyShow.TestInfrastructure.FakeStripe;
using BookMyShow.Workers.Payments;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BookMyShow.Payments.Tests;

/// <summary>Payment services as AddPayments registers them, on settings a test chooses.</summary>
static class TestPayments
{
    /// <summary>Fast retries so the failure paths run in well under a second.</summary>
    public static Dictionary<string, string?> Fast(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Payments:Timeout"] = "00:00:05",
            ["Payments:MaxAttempts"] = "4",
            ["Payments:RetryDelay"] = "00:00:00.010",
            ["Payments:MaxRetryDelay"] = "00:00:00.050",
        };
        foreach (var (key, value) in settings ?? []) all[key] = value;
        return all;
    }

    public static Dictionary<string, string?> Stripe(FakeStripeServer stripe, Dictionary<string, string?>? settings = null)
    {
        var all = Fast(new()
        {
            ["Payments:Provider"] = "Stripe",
            ["Payments:Stripe:ApiKey"] = stripe.ApiKey,
            ["Payments:Stripe:ApiBase"] = stripe.ApiBase,
        });
        foreach (var (key, value) in settings ?? []) all[key] = value;
        return all;
    }

    public static ServiceCollection Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddPayments(configuration);
        return services;
    }

    public static ServiceProvider Provider(Dictionary<string, string?> settings) =>
        Services(settings).BuildServiceProvider(validateScopes: true);

    public static IPaymentGateway Gateway(this ServiceProvider provider) => provider.GetRequiredService<IPaymentGateway>();

    public static ChargePayment Charge(string token = "pm_card_visa", decimal amount = 1500.50m, string currency = "INR",
        string holdId = "h_1", string attemptId = "a_1") => new()
        {
            HoldId = holdId,
            ShowId = "s_1",
            UserId = "u_1",
            AttemptId = attemptId,
            Amount = amount,
            Currency = currency,
            PaymentToken = token,
        };

    public static RefundPayment Refund(string paymentIntentId, decimal amount = 1500.50m, string currency = "INR", string holdId = "h_1") => new()
    {
        HoldId = holdId,
        ShowId = "s_1",
        PaymentIntentId = paymentIntentId,
        Amount = amount,
        Currency = currency,
        Reason = "payment arrived after the hold expired",
    };
}

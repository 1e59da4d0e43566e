using BookMyShow.Workers.Payments;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BookMyShow.Payments.Tests.Payments;

[Trait("Tier", "Fast")]
public sealed class PaymentOptionsTests
{
    static PaymentOptions Resolve(Dictionary<string, string?> settings)
    {
        using var provider = TestPayments.Provider(settings);
        return provider.GetRequiredService<IOptions<PaymentOptions>>().Value;
    }

    [Fact]
    public void Defaults_are_the_simulated_provider_with_bounded_retries()
    {
        var options = Resolve([]);

        Assert.Equal(PaymentProvider.Simulated, options.Provider);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
        Assert.Equal(4, options.MaxAttempts);
        Assert.Equal(TimeSpan.Zero, options.Simulated.Latency);
        Assert.Equal(PaymentOptions.DefaultRefundRetryIntervals, options.EffectiveRefundRetryIntervals);
    }

    [Fact]
    public void Stripe_without_an_api_key_fails_naming_the_key()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Payments:Provider"] = "Stripe" }));

        Assert.Contains("Payments:Stripe:ApiKey", error.Message);
    }

    [Theory]
    [InlineData("Payments:Timeout", "00:00:00", "Payments:Timeout")]
    [InlineData("Payments:MaxAttempts", "0", "Payments:MaxAttempts")]
    [InlineData("Payments:Stripe:ApiBase", "not a url", "Payments:Stripe:ApiBase")]
    [InlineData("Payments:Provider", "7", "Payments:Provider")]
    public void Bad_value_fails_naming_the_key(string key, string value, string named)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { [key] = value }));

        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void Unknown_provider_name_fails_naming_the_key()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Resolve(new() { ["Payments:Provider"] = "PayPal" }));

        Assert.Contains("Payments:Provider", error.Message);
    }

    [Fact]
    public void Configured_refund_intervals_replace_the_defaults()
    {
        var options = Resolve(new() { ["Payments:RefundRetryIntervals:0"] = "00:00:01", ["Payments:RefundRetryIntervals:1"] = "00:00:02" });

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], options.EffectiveRefundRetryIntervals);
    }

    [Theory]
    [InlineData(1500.50, "INR", 150050)]
    [InlineData(1500, "JPY", 1500)]
    [InlineData(12.345, "KWD", 12345)]
    [InlineData(0.01, "usd", 1)]
    public void Amounts_go_to_minor_units_and_back(decimal major, string currency, long minor)
    {
        Assert.Equal(minor, StripeAmounts.ToMinorUnits(major, currency));
        Assert.Equal(major, StripeAmounts.FromMinorUnits(minor, currency));
    }

    [Theory]
    [InlineData(10.5, "JPY")]
    [InlineData(0, "INR")]
    [InlineData(-1, "INR")]
    public void Amount_that_is_not_a_whole_number_of_minor_units_is_refused(decimal major, string currency)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => StripeAmounts.ToMinorUnits(major, currency));
    }
}

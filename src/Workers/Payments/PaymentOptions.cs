using Microsoft.Extensions.Options;

namespace BookMyShow.Workers.Payments;

public enum PaymentProvider
{
    /// <summary>In-process stand-in that honours Stripe's test tokens; no network.</summary>
    Simulated,

    /// <summary>Stripe's API through Stripe.net (or a Stripe-compatible server at Payments:Stripe:ApiBase).</summary>
    Stripe,
}

/// <summary>Configuration section "Payments".</summary>
public sealed class PaymentOptions
{
    public const string Section = "Payments";

    public PaymentProvider Provider { get; set; } = PaymentProvider.Simulated;

    public StripeProviderOptions Stripe { get; set; } = new();

    public SimulatedProviderOptions Simulated { get; set; } = new();

    /// <summary>Longest wait for one provider call; a call that takes longer is abandoned and retried.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Provider calls per charge or refund, the first included, before the outcome is "unavailable".</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Pause before the second call; it doubles for each further call (with jitter) up to MaxRetryDelay.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Payment messages handled at once by one process.</summary>
    public int ConcurrentMessageLimit { get; set; } = 16;

    /// <summary>
    /// Pauses between new tries of a RefundPayment whose provider stayed unavailable; after the last one the message
    /// goes to the error queue (payments_error) rather than being dropped. Empty: <see cref="DefaultRefundRetryIntervals"/>.
    /// </summary>
    // Empty by default because the configuration binder appends configured array items to existing ones.
    public TimeSpan[] RefundRetryIntervals { get; set; } = [];

    public static IReadOnlyList<TimeSpan> DefaultRefundRetryIntervals { get; } =
        [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5)];

    public IReadOnlyList<TimeSpan> EffectiveRefundRetryIntervals =>
        RefundRetryIntervals.Length > 0 ? RefundRetryIntervals : DefaultRefundRetryIntervals;
}

/// <summary>Configuration section "Payments:Stripe".</summary>
public sealed class StripeProviderOptions
{
    /// <summary>Secret key (sk_test_… / sk_live_… / rk_…). Required when Payments:Provider is Stripe.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Base URL of the API; empty means Stripe's own (https://api.stripe.com). Tests point it at a fake.</summary>
    public string? ApiBase { get; set; }

    /// <summary>Signing secret (whsec_…) of the webhook endpoint; read by the gateway's /v1/webhooks/stripe.</summary>
    public string? WebhookSecret { get; set; }
}

/// <summary>Configuration section "Payments:Simulated".</summary>
public sealed class SimulatedProviderOptions
{
    /// <summary>Added to every simulated provider call, to make payments slow in tests and demos.</summary>
    public TimeSpan Latency { get; set; } = TimeSpan.Zero;
}

/// <summary>Checks Payments:* at start; every failure names the key.</summary>
public sealed class PaymentOptionsValidator : IValidateOptions<PaymentOptions>
{
    public ValidateOptionsResult Validate(string? name, PaymentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string p = PaymentOptions.Section;

        if (!Enum.IsDefined(options.Provider))
        {
            failures.Add($"{p}:Provider must be Simulated or Stripe, not '{options.Provider}'.");
        }
        if (options.Provider == PaymentProvider.Stripe)
        {
            var key = options.Stripe.ApiKey;
            if (string.IsNullOrWhiteSpace(key))
            {
                failures.Add($"{p}:Stripe:ApiKey is required when {p}:Provider is Stripe.");
            }
            else if (key.Any(char.IsWhiteSpace))
            {
                failures.Add($"{p}:Stripe:ApiKey must not contain whitespace.");
            }
        }
        if (!string.IsNullOrWhiteSpace(options.Stripe.ApiBase)
            && (!Uri.TryCreate(options.Stripe.ApiBase, UriKind.Absolute, out var apiBase) || apiBase.Scheme is not ("http" or "https")))
        {
            failures.Add($"{p}:Stripe:ApiBase must be an absolute http(s) URL, not '{options.Stripe.ApiBase}'.");
        }
        if (options.Timeout < TimeSpan.FromMilliseconds(10) || options.Timeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{p}:Timeout must be between 00:00:00.010 and 00:05:00, not {options.Timeout}.");
        }
        if (options.MaxAttempts is < 1 or > 20)
        {
            failures.Add($"{p}:MaxAttempts must be between 1 and 20, not {options.MaxAttempts}.");
        }
        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{p}:RetryDelay must be between 00:00:00 and 00:01:00, not {options.RetryDelay}.");
        }
        if (options.MaxRetryDelay < options.RetryDelay || options.MaxRetryDelay > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{p}:MaxRetryDelay must be at least {p}:RetryDelay and at most 00:05:00, not {options.MaxRetryDelay}.");
        }
        if (options.ConcurrentMessageLimit is < 1 or > 1000)
        {
            failures.Add($"{p}:ConcurrentMessageLimit must be between 1 and 1000, not {options.ConcurrentMessageLimit}.");
        }
        if (options.RefundRetryIntervals.Any(i => i < TimeSpan.Zero || i > TimeSpan.FromHours(1)))
        {
            failures.Add($"{p}:RefundRetryIntervals must each be between 00:00:00 and 01:00:00.");
        }
        if (options.Simulated.Latency < TimeSpan.Zero || options.Simulated.Latency > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{p}:Simulated:Latency must be between 00:00:00 and 00:05:00, not {options.Simulated.Latency}.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

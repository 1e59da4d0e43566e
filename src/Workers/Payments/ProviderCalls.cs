using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BookMyShow.Workers.Payments;

/// <summary>
/// Runs one provider operation: each call under Payments:Timeout, transient failures (timeouts, network errors and
/// whatever the gateway reports as <see cref="TransientProviderException"/>) retried with capped exponential backoff
/// up to Payments:MaxAttempts calls. The operation must be idempotent (the same idempotency key on every call).
/// </summary>
public sealed class ProviderCalls(IOptions<PaymentOptions> options, TimeProvider time, ILogger<ProviderCalls> logger)
{
    readonly PaymentOptions _options = options.Value;

    /// <param name="operation">What is attempted, for logs ("charge", "refund").</param>
    /// <param name="idempotencyKey">The key every call uses, for logs.</param>
    /// <param name="call">One call to the provider; it must honour its cancellation token.</param>
    /// <param name="unavailable">The result when every attempt failed, from the last failure's description.</param>
    public async Task<T> RunAsync<T>(string operation, string idempotencyKey, Func<CancellationToken, Task<T>> call,
        Func<string, T> unavailable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(unavailable);
        var reason = "not attempted";
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            using (var timeout = new CancellationTokenSource(_options.Timeout, time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
            {
                try
                {
                    return await call(linked.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    reason = string.Create(CultureInfo.InvariantCulture, $"no answer within {_options.Timeout.TotalSeconds:0.###} s");
                }
                catch (HttpRequestException e)
                {
                    reason = $"network error: {e.Message}";
                }
                catch (TransientProviderException e)
                {
                    reason = e.Message;
                    retryAfter = e.RetryAfter;
                }
            }

            if (attempt >= _options.MaxAttempts)
            {
                logger.LogError("Payment {Operation} {IdempotencyKey} gave up after {Attempts} attempts: {Reason}",
                    operation, idempotencyKey, attempt, reason);
                return unavailable($"{reason} (after {attempt} attempts)");
            }

            var delay = Backoff(attempt, retryAfter);
            logger.LogWarning("Payment {Operation} {IdempotencyKey} attempt {Attempt} of {MaxAttempts} failed ({Reason}); retrying in {DelayMs} ms",
                operation, idempotencyKey, attempt, _options.MaxAttempts, reason, (long)delay.TotalMilliseconds);
            await Task.Delay(delay, time, cancellationToken);
        }
    }

    /// <summary>RetryDelay × 2^(attempt-1), at most MaxRetryDelay, 75-100 % of it; never less than a Retry-After within the cap.</summary>
    TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        var exponential = _options.RetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20));
        var capped = Math.Min(exponential, _options.MaxRetryDelay.TotalMilliseconds);
        var delay = TimeSpan.FromMilliseconds(capped * (0.75 + Random.Shared.NextDouble() / 4));
        if (retryAfter is { } asked && asked > delay)
        {
            delay = asked < _options.MaxRetryDelay ? asked : _options.MaxRetryDelay;
        }
        return delay;
    }
}

/// <summary>A provider failure worth retrying with the same idempotency key (rate limit, 5xx, lock conflict).</summary>
public sealed class TransientProviderException : Exception
{
    public TransientProviderException()
    {
    }

    public TransientProviderException(string message) : base(message)
    {
    }

    public TransientProviderException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public TransientProviderException(string message, TimeSpan? retryAfter, Exception? innerException = null)
        : base(message, innerException) => RetryAfter = retryAfter;

    /// <summary>How long the provider asked us to wait, when it said.</summary>
    public TimeSpan? RetryAfter { get; }
}

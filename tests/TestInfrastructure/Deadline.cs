using System.Diagnostics;

namespace BookMyShow.TestInfrastructure;

/// <summary>
/// Polling with a deadline: the one allowed way for tests to wait for asynchronous work.
/// A probe answers <c>null</c>/<c>false</c> for "not yet"; an exception thrown by a probe is not swallowed
/// (catch expected transient errors inside the probe).
/// </summary>
public static class Deadline
{
    /// <summary>Pause between two probes.</summary>
    public static TimeSpan PollInterval { get; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Polls <paramref name="probe"/> until it returns a non-null value, and returns it.</summary>
    /// <exception cref="TimeoutException">The probe still answered null at the deadline.</exception>
    public static async Task<T> UntilAsync<T>(
        Func<Task<T?>> probe, TimeSpan timeout, string what, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var value = await probe().ConfigureAwait(false);
            if (value is not null)
            {
                return value;
            }

            await PauseOrThrowAsync(clock, timeout, what, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value (not null), and returns it.</summary>
    /// <exception cref="TimeoutException">The probe still answered null at the deadline.</exception>
    public static async Task<T> UntilAsync<T>(
        Func<Task<T?>> probe, TimeSpan timeout, string what, CancellationToken cancellationToken = default)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(probe);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var value = await probe().ConfigureAwait(false);
            if (value.HasValue)
            {
                return value.Value;
            }

            await PauseOrThrowAsync(clock, timeout, what, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds.</summary>
    /// <exception cref="TimeoutException">The condition still did not hold at the deadline.</exception>
    public static async Task UntilAsync(
        Func<Task<bool>> condition, TimeSpan timeout, string what, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await condition().ConfigureAwait(false))
            {
                return;
            }

            await PauseOrThrowAsync(clock, timeout, what, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Polls a synchronous <paramref name="condition"/> until it holds.</summary>
    /// <exception cref="TimeoutException">The condition still did not hold at the deadline.</exception>
    public static Task UntilAsync(
        Func<bool> condition, TimeSpan timeout, string what, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return UntilAsync(() => Task.FromResult(condition()), timeout, what, cancellationToken);
    }

    private static async Task PauseOrThrowAsync(
        Stopwatch clock, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        var remaining = timeout - clock.Elapsed;
        if (remaining <= TimeSpan.Zero)
        {
            throw new TimeoutException(
                $"Timed out after {timeout.TotalSeconds:0.###} s waiting for {what}.");
        }

        await Task.Delay(remaining < PollInterval ? remaining : PollInterval, cancellationToken)
            .ConfigureAwait(false);
    }
}

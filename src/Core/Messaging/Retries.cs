using MassTransit;

namespace BookMyShow.Core.Messaging;

/// <summary>The one retry policy of the consumers whose failures are the database's or the broker's passing trouble.</summary>
public static class Retries
{
    /// <summary>Tries before a message counts as failed: with <see cref="WaitOutAnOutage"/>'s waits, about four minutes.</summary>
    public const int Attempts = 12;

    /// <summary>
    /// Retries a failing message with growing waits (50 ms up to 30 s, about four minutes in all), so that a database
    /// or broker outage is waited out before a message goes to its error queue or, for a hold request, is answered
    /// PROCESSING_FAILED.
    /// </summary>
    public static void WaitOutAnOutage(IRetryConfigurator retry) =>
        retry.Exponential(Attempts, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
}

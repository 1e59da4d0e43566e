using System.Collections.Concurrent;
using BookMyShow.Core.Holds;
using Microsoft.Extensions.Options;

namespace BookMyShow.Gateway.Admission;

/// <summary>Decisions per second per show over the last few seconds, measured from the decisions this gateway sees.</summary>
public sealed class DrainRates(TimeProvider time, IOptions<HoldOptions> options)
{
    static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    sealed class Samples
    {
        public readonly Queue<long> Ticks = new();
    }

    readonly ConcurrentDictionary<string, Samples> _shows = new();

    public void Record(string showId)
    {
        var samples = _shows.GetOrAdd(showId, _ => new Samples());
        var now = time.GetTimestamp();
        lock (samples)
        {
            samples.Ticks.Enqueue(now);
            Trim(samples, now);
        }
    }

    public double RateOf(string showId)
    {
        if (_shows.TryGetValue(showId, out var samples))
        {
            var now = time.GetTimestamp();
            lock (samples)
            {
                Trim(samples, now);
                if (samples.Ticks.Count >= 2)
                {
                    var span = time.GetElapsedTime(samples.Ticks.Peek(), now).TotalSeconds;
                    if (span > 0.05) return samples.Ticks.Count / span;
                }
            }
        }
        return options.Value.AssumedDecisionsPerSecond;
    }

    /// <summary>Seconds until a request at this position is decided, rounded up.</summary>
    public int EstimateWaitSeconds(string showId, long position) =>
        position <= 0 ? 0 : (int)Math.Ceiling(position / RateOf(showId));

    void Trim(Samples samples, long now)
    {
        while (samples.Ticks.Count > 0 && time.GetElapsedTime(samples.Ticks.Peek(), now) > Window) samples.Ticks.Dequeue();
    }
}

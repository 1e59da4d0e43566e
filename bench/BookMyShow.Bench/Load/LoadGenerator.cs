namespace BookMyShow.Bench.Load;

/// <summary>One user arriving: when (ms after the run's start), at which show, and, when fixed in advance, which seats.</summary>
public sealed record Arrival(double AtMs, string ShowId, string UserId, string Group = "", IReadOnlyList<string>? Seats = null);

/// <summary>
/// Sends each arrival at its planned time (never waiting for earlier ones: an open system, as a crowd is), lets the
/// target wait for the decision, and pays for a share of the granted holds.
/// </summary>
public sealed class LoadGenerator(ITarget target, RunClock clock, int seed)
{
    readonly Random _random = new(seed);

    /// <summary>Runs the arrivals; requests without a final answer <paramref name="deadline"/> after the last arrival are given up.</summary>
    /// <param name="views">The seat map each user picks from, by show, for arrivals without fixed seats.</param>
    /// <param name="startMs">When, on the run's clock, the arrivals' time 0 is (so that a measurement can be lined up with them); default: 20 ms from now.</param>
    public async Task<List<RequestRecord>> RunAsync(
        IReadOnlyList<Arrival> arrivals, IReadOnlyDictionary<string, SeatView> views, double payShare, TimeSpan deadline, CancellationToken ct,
        double? startMs = null)
    {
        var lastAt = arrivals.Count == 0 ? 0 : arrivals.Max(a => a.AtMs);
        var start = startMs ?? clock.NowMs + 20;
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(ct);
        giveUp.CancelAfter(TimeSpan.FromMilliseconds(Math.Max(0, start - clock.NowMs) + lastAt) + deadline);
        var records = new RequestRecord[arrivals.Count];
        var tasks = new Task[arrivals.Count];
        var ordered = Enumerable.Range(0, arrivals.Count).OrderBy(i => arrivals[i].AtMs).ToArray();
        var next = 0;
        while (next < ordered.Length)
        {
            var now = clock.NowMs;
            while (next < ordered.Length && start + arrivals[ordered[next]].AtMs <= now)
            {
                var i = ordered[next++];
                var arrival = arrivals[i];
                var record = new RequestRecord
                {
                    Index = i,
                    ShowId = arrival.ShowId,
                    UserId = arrival.UserId,
                    Group = arrival.Group,
                    Seats = arrival.Seats ?? views[arrival.ShowId].Pick(_random),
                    ScheduledMs = start + arrival.AtMs,
                };
                records[i] = record;
                var pay = _random.NextDouble() < payShare;
                tasks[i] = Task.Run(() => RunOneAsync(record, pay, giveUp.Token), CancellationToken.None);
            }
            if (next < ordered.Length)
            {
                // Never spin for the next arrival: a Task.Yield loop for sub-millisecond waits kept a core of the shared
                // machine busy at 1,000 arrivals/s. A timer's at least a millisecond makes an arrival up to about a
                // millisecond late instead, which its latency, counted from the planned time, includes.
                var wait = start + arrivals[ordered[next]].AtMs - clock.NowMs;
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(wait, 1, 100)), ct);
            }
        }
        await Task.WhenAll(tasks);
        return [.. records];
    }

    async Task RunOneAsync(RequestRecord record, bool pay, CancellationToken ct)
    {
        try
        {
            await target.HoldAsync(record, clock, ct);
        }
        catch (OperationCanceledException)
        {
            record.GaveUp = true;
            record.Outcome = record.AdmittedMs is null ? Outcome.Error : Outcome.Undecided;
            record.Error = record.AdmittedMs is null ? "no answer before the deadline" : "no decision before the deadline";
            return;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or System.Text.Json.JsonException or InvalidOperationException or KeyNotFoundException)
        {
            record.Outcome = record.AdmittedMs is null ? Outcome.Error : Outcome.Undecided;
            record.Error = $"{e.GetType().Name}: {e.Message}";
            return;
        }
        if (!pay || record.Outcome != Outcome.Held) return;
        try
        {
            await target.PayAsync(record, clock, ct);
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
        {
            record.PayStatus = 0;
        }
    }
}

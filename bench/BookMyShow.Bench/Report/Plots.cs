using BookMyShow.Bench.Load;

namespace BookMyShow.Bench.Report;

/// <summary>The charts every scenario draws the same way.</summary>
public static class Plots
{
    /// <summary>
    /// Cumulative decisions (each system in its own colour) and arrivals against seconds since each run's first
    /// arrival. The arrivals are drawn first, as a wide pale line, so that a decision line that follows them closely
    /// (the baseline decides as requests arrive) runs on top of it without hiding it. Runs that share the arrival plan
    /// (the hot show's systems get the same one) would draw the same arrival line twice, one hiding the other: it is
    /// drawn once, named for both.
    /// </summary>
    public static SvgChart DecisionsOverTime(string title, IEnumerable<TargetRun> runs)
    {
        var chart = new SvgChart(title, "seconds since the first arrival", "requests");
        var drawn = runs.Where(r => r.Records.Count > 0).ToList();
        var arrivals = drawn.Select(r => Offsets(r.Records.Select(x => x.ScheduledMs))).ToList();
        var shared = arrivals.Count > 1 && arrivals.All(a => a.Count == arrivals[0].Count && a.Zip(arrivals[0]).All(p => Math.Abs(p.First - p.Second) < 1));
        if (shared)
        {
            chart.Line("arrived (both: one plan)", SvgChart.Cumulative(arrivals[0].Select(t => t / 1000)), steps: true, color: "#c8c8c8", width: 7);
        }
        else
        {
            foreach (var (run, times) in drawn.Zip(arrivals))
            {
                chart.Line($"{RunName(run)} arrived", SvgChart.Cumulative(times.Select(t => t / 1000)), dashed: true, steps: true, color: SvgChart.ColorOf(run.Target));
            }
        }
        foreach (var run in drawn)
        {
            var first = run.Records.Min(r => r.ScheduledMs);
            chart.Line($"{RunName(run)} decided", SvgChart.Cumulative(run.Records.Where(r => r.DecidedMs is not null).Select(r => (r.DecidedMs!.Value - first) / 1000)),
                steps: true, color: SvgChart.ColorOf(run.Target));
        }
        return chart;
    }

    static string RunName(TargetRun run) => string.IsNullOrEmpty(run.Label) ? run.Target : $"{run.Target} {run.Label}";

    /// <summary>Times relative to the first, sorted.</summary>
    static List<double> Offsets(IEnumerable<double> times)
    {
        var sorted = times.Order().ToList();
        return sorted.Select(t => t - sorted[0]).ToList();
    }

    /// <summary>CDF of decision latency (and the pipeline's admission latency, its 202, dashed) on a log scale.</summary>
    public static SvgChart LatencyCdf(string title, IEnumerable<TargetRun> runs)
    {
        var chart = new SvgChart(title, "latency from arrival, ms (log scale)", "% of requests at or below") { LogX = true, YMax = 100 };
        var drawn = runs.Where(r => r.Records.Count > 0).ToList();
        foreach (var run in drawn)
        {
            var name = RunName(run);
            // One colour per run, its admission dashed: each system keeps its own colour where it has one run; several
            // runs of one system (the steps) take the palette's.
            var color = SvgChart.ColorOf(run.Target) is { } own && drawn.Count(r => r.Target == run.Target) == 1 ? own : chart.NextColor();
            chart.Line($"{name}: decided", SvgChart.Cdf(run.Records.Where(r => r.DecisionLatencyMs is not null).Select(r => Math.Max(0.1, r.DecisionLatencyMs!.Value))), color: color);
            if (run.Records.Any(r => r.AdmissionLatencyMs is not null))
            {
                chart.Line($"{name}: 202", SvgChart.Cdf(run.Records.Where(r => r.AdmissionLatencyMs is not null).Select(r => Math.Max(0.1, r.AdmissionLatencyMs!.Value))), dashed: true, color: color);
            }
        }
        return chart;
    }

    /// <summary>Decisions per second (1 s buckets of the users' decision times).</summary>
    public static IEnumerable<(double X, double Y)> RatePerSecond(IEnumerable<RequestRecord> records, double originMs)
    {
        var buckets = records.Where(r => r.DecidedMs is not null)
            .GroupBy(r => (int)Math.Floor((r.DecidedMs!.Value - originMs) / 1000))
            .ToDictionary(g => g.Key, g => g.Count());
        if (buckets.Count == 0) yield break;
        for (var s = Math.Min(0, buckets.Keys.Min()); s <= buckets.Keys.Max(); s++) yield return (s, buckets.GetValueOrDefault(s));
    }
}

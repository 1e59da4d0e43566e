using BookMyShow.Bench.Load;

namespace BookMyShow.Bench.Report;

/// <summary>The charts every scenario draws the same way.</summary>
public static class Plots
{
    /// <summary>Cumulative decisions (and arrivals, dashed) against seconds since each run's first arrival.</summary>
    public static SvgChart DecisionsOverTime(string title, IEnumerable<TargetRun> runs)
    {
        var chart = new SvgChart(title, "seconds since the first arrival", "requests");
        foreach (var run in runs.Where(r => r.Records.Count > 0))
        {
            var first = run.Records.Min(r => r.ScheduledMs);
            var name = string.IsNullOrEmpty(run.Label) ? run.Target : $"{run.Target} {run.Label}";
            chart.Line($"{name} decided", SvgChart.Cumulative(run.Records.Where(r => r.DecidedMs is not null).Select(r => (r.DecidedMs!.Value - first) / 1000)), steps: true);
            chart.Line($"{name} arrived", SvgChart.Cumulative(run.Records.Select(r => (r.ScheduledMs - first) / 1000)), dashed: true, steps: true);
        }
        return chart;
    }

    /// <summary>CDF of decision latency (and the pipeline's admission latency) on a log scale.</summary>
    public static SvgChart LatencyCdf(string title, IEnumerable<TargetRun> runs)
    {
        var chart = new SvgChart(title, "latency from arrival, ms (log scale)", "% of requests at or below") { LogX = true, YMax = 100 };
        foreach (var run in runs.Where(r => r.Records.Count > 0))
        {
            var name = string.IsNullOrEmpty(run.Label) ? run.Target : $"{run.Target} {run.Label}";
            chart.Line($"{name} decision", SvgChart.Cdf(run.Records.Where(r => r.DecisionLatencyMs is not null).Select(r => Math.Max(0.1, r.DecisionLatencyMs!.Value))));
            if (run.Records.Any(r => r.AdmissionLatencyMs is not null))
            {
                chart.Line($"{name} admission (202)", SvgChart.Cdf(run.Records.Where(r => r.AdmissionLatencyMs is not null).Select(r => Math.Max(0.1, r.AdmissionLatencyMs!.Value))), dashed: true);
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

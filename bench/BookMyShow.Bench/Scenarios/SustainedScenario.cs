using System.Globalization;
using BookMyShow.Bench.Cost;
using BookMyShow.Bench.Load;
using BookMyShow.Bench.Report;
using Npgsql;

namespace BookMyShow.Bench.Scenarios;

/// <summary>
/// Scenario 2: steady traffic over 100 shows, the arrival rate stepped up until p99 decision latency passes 250 ms.
/// Holds last a short time so seats come back (as abandoned carts do) and the shows never simply sell out.
/// </summary>
public static class SustainedScenario
{
    const double P99LimitMs = 250;
    const int UserPool = 5000;

    public static async Task<ScenarioReport> RunAsync(BenchContext context, CancellationToken ct)
    {
        var options = context.Options;
        var ttl = Ttl(options);
        const double payShare = 0.1;
        var report = new ScenarioReport { Name = "sustained", Title = "2. Sustained load over 100 shows" };
        report.Settings["shows"] = $"{BenchCatalog.ShowCount} × {BenchCatalog.SeatsPerShow} seats, each arrival at a random show";
        report.Settings["steps"] = $"{string.Join(", ", options.SustainedRates)} arrivals/s, {options.StepLength.TotalSeconds:0.#} s each, evenly spaced; a step's stragglers are waited for before the next; " +
                                   "a step that fails is run once more (\"retry\"), and the system's run stops when a step fails twice; its highest passing step counts either try";
        report.Settings["cost window"] = CostWindow;
        report.Settings["pass"] = $"p99 decision latency < {P99LimitMs} ms, no errors, every request decided";
        report.Settings["hold TTL"] = $"{ttl.TotalSeconds:0} s (pipeline Holds__Ttl and baseline --ttl), so seats return";
        report.Settings["seat view"] = "each show's map re-read every second (one shared copy per show)";
        report.Settings["users"] = $"{UserPool} users taking turns";
        report.Settings["pay share"] = payShare.ToString("0.##", CultureInfo.InvariantCulture);

        var users = Enumerable.Range(0, UserPool).Select(i => $"u_{i:00000}").ToList();
        if (options.RunBaseline)
        {
            await using var baseline = await context.StartBaselineAsync(ttl);
            using var target = context.Baseline(baseline);
            var (steps, warmUp) = await RunStepsAsync(context, target, BenchContext.BaselineSystem(baseline), users, payShare, null, ct);
            report.Runs.AddRange(steps);
            report.Invariants.AddRange(await Invariants.BaselineAsync(baseline.ConnectionString, [.. warmUp, .. steps.SelectMany(s => s.Records)], expectsNoExpiry: false));
            await BenchContext.SettleDatabaseAsync(baseline.ConnectionString, ct);
        }
        await using (var deployment = await context.StartPipelineAsync(workers: 1, new Dictionary<string, string?> { ["Holds__Ttl"] = ttl.ToString("c", CultureInfo.InvariantCulture) }))
        {
            using var target = context.Pipeline(deployment);
            var cs = deployment.PostgresConnectionString!;
            var (steps, warmUp) = await RunStepsAsync(context, target, BenchContext.PipelineSystem(deployment), users, payShare, cs, ct);
            await context.WaitForDecisionsAsync(cs);
            report.Runs.InsertRange(0, steps);
            report.Invariants.InsertRange(0, await Invariants.PipelineAsync(cs, [.. warmUp, .. steps.SelectMany(s => s.Records)], expectsNoExpiry: false));
        }

        var best = new Dictionary<string, int?>();
        foreach (var group in report.Runs.GroupBy(r => r.Target))
        {
            best[group.Key] = group.Where(Passes).Select(r => r.OfferedRate).Max();
            var achieved = group.Where(Passes).Select(r => (double?)r.DecisionsPerSecond).Max();
            report.Extra[$"{group.Key}_highest_passing_rate"] = best[group.Key] ?? 0;
            report.Extra[$"{group.Key}_highest_passing_decisions_per_second"] = Math.Round(achieved ?? 0);
        }
        Judge(context, report, best);
        foreach (var step in report.Runs.Where(r => r.Target == "pipeline" && r.Server is not null))
        {
            report.Notes.Add($"Pipeline step {step.Label}: " + string.Join(" ", HotShowScenario.WhereTimeGoes(step, step.Server!).Take(1)));
        }

        LatencyChart(report.Runs).Save(context.PlotPath("sustained-p99.svg"));
        var rates = new SvgChart("Sustained: decisions per second over time", "seconds since the first step began", "decisions per second");
        foreach (var group in report.Runs.GroupBy(r => r.Target))
        {
            var records = group.SelectMany(r => r.Records).ToList();
            if (records.Count > 0) rates.Line(group.Key, Plots.RatePerSecond(records, records.Min(r => r.ScheduledMs)), color: SvgChart.ColorOf(group.Key));
        }
        rates.Save(context.PlotPath("sustained-rate.svg"));
        Plots.LatencyCdf("Sustained: latency distribution per step", report.Runs.Where(r => r.Target == "pipeline")).Save(context.PlotPath("sustained-latency.svg"));
        report.Plots.AddRange(["sustained-p99.svg", "sustained-rate.svg", "sustained-latency.svg"]);
        return report;
    }

    static TimeSpan Ttl(BenchOptions options) => options.Quick ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(10);

    /// <summary>The share of a step's arrival window left out at its start, before the cost meter's first reading.</summary>
    const double CostWindowSkip = 0.2;

    const string CostWindow = "the last 80 % of each step's arrival window (from the planned time of its arrival at 20 % to that of its last arrival), " +
                              "divided by the arrivals planned in it: the first 20 % is left out while queues and pools adjust to the new rate; " +
                              "work that lags its arrival (decisions, events, the expiry of holds placed a TTL earlier) is counted when it happens, " +
                              "which in a steady step stands for the same work of the window's own arrivals that finishes after it " +
                              "(RabbitMQ's statistics and pg_stat_database, published up to a second late, are read half a second after each edge)";

    /// <summary>Issue 15's targets for this scenario, pipeline against baseline.</summary>
    static void Judge(BenchContext context, ScenarioReport report, Dictionary<string, int?> best)
    {
        var pipelineBest = best.GetValueOrDefault("pipeline") ?? 0;
        if (best.TryGetValue("baseline", out var baselineBest))
        {
            var factor = (baselineBest ?? 0) == 0 ? double.PositiveInfinity : (double)pipelineBest / baselineBest!.Value;
            report.Targets.Add(context.TimingTarget("highest passing step ≥ 0.5× the baseline's",
                $"{factor:0.00}× (pipeline {pipelineBest:N0}/s, baseline {baselineBest ?? 0:N0}/s)", factor >= 0.5));
        }
        else
        {
            report.Targets.Add(context.TimingTarget("highest passing step ≥ 0.5× the baseline's", $"pipeline {pipelineBest:N0}/s; baseline not run", null));
        }

        const int costRate = 1000;
        const double costLimitMs = 2;
        // A step's last try: the retry, when the first try failed.
        TargetRun? At(string target) => report.Runs.LastOrDefault(r => r.Target == target && r.OfferedRate == costRate && r.Cost?.SystemCpuMsPerArrival is not null);
        var pipeline = At("pipeline");
        var baseline = At("baseline");
        var baselineText = baseline is null ? "" : $"; baseline {baseline.Cost!.SystemCpuMsPerArrival:0.00} ms";
        if (pipeline is null)
        {
            var highest = report.Runs.Where(r => r.Target == "pipeline").Select(r => r.OfferedRate).Max();
            report.Targets.Add(context.TimingTarget($"CPU per arrival at {costRate:N0}/s ≤ {costLimitMs} ms (pipeline: gateway, workers, PostgreSQL, RabbitMQ)",
                $"not reached: the pipeline's last step run was {highest ?? 0:N0}/s{baselineText}", false));
        }
        else
        {
            var ms = pipeline.Cost!.SystemCpuMsPerArrival!.Value;
            report.Targets.Add(context.TimingTarget($"CPU per arrival at {costRate:N0}/s ≤ {costLimitMs} ms (pipeline: gateway, workers, PostgreSQL, RabbitMQ)",
                $"{ms:0.00} ms{(Passes(pipeline) ? "" : " (the step itself failed)")}{baselineText}", ms <= costLimitMs));
        }
    }

    /// <summary>
    /// p50 and p99 per step against the offered rate, both on log scales: the steps grow about geometrically and the
    /// latencies span milliseconds to seconds; the axis covers the steps actually run (retries drawn as points apart).
    /// </summary>
    static SvgChart LatencyChart(IReadOnlyList<TargetRun> runs)
    {
        var chart = new SvgChart("Sustained: decision latency per step", "offered arrivals per second (log scale)", "decision latency, ms (log scale)")
        {
            LogX = true,
            LogY = true,
        };
        foreach (var group in runs.GroupBy(r => r.Target))
        {
            // The line joins each rate's last try; a failed first try shows as a lone point.
            var last = group.Where(r => r.Decision is not null).GroupBy(r => r.OfferedRate!.Value).Select(g => g.Last()).ToList();
            chart.Line($"{group.Key} p99", last.Select(r => ((double)r.OfferedRate!.Value, r.Decision!.P99)), color: SvgChart.ColorOf(group.Key), markers: true);
            chart.Line($"{group.Key} p50", last.Select(r => ((double)r.OfferedRate!.Value, r.Decision!.P50)), dashed: true, color: SvgChart.ColorOf(group.Key), markers: true);
            var firstTries = group.Where(r => r.Decision is not null && group.Any(o => o.Retry && o.OfferedRate == r.OfferedRate) && !r.Retry).ToList();
            if (firstTries.Count > 0)
            {
                chart.Points($"{group.Key} p99, failed first try", firstTries.Select(r => ((double)r.OfferedRate!.Value, r.Decision!.P99)), SvgChart.ColorOf(group.Key));
            }
        }
        var run = runs.Where(r => r.OfferedRate is not null).Select(r => (double)r.OfferedRate!.Value).ToList();
        if (run.Count > 0) chart.Line("limit 250 ms", [(run.Min(), P99LimitMs), (run.Max(), P99LimitMs)], dashed: true, color: "#555555");
        return chart;
    }

    public static bool Passes(TargetRun step) =>
        step.Decision is { } d && d.P99 < P99LimitMs && step.Errors == 0 && step.Undecided == 0;

    static async Task<(List<TargetRun> Steps, List<RequestRecord> WarmUp)> RunStepsAsync(
        BenchContext context, ITarget target, MeteredSystem system, List<string> users, double payShare, string? pipelineDatabase, CancellationToken ct)
    {
        var options = context.Options;
        var totalPlanned = options.SustainedRates.Max() * (int)options.StepLength.TotalSeconds;
        var pool = users.Take(Math.Min(users.Count, Math.Max(1, totalPlanned))).ToList();
        BenchContext.Log($"{target.Name}: {pool.Count} users, tokens and connections");
        await target.PrepareUsersAsync(pool, ct);
        var warmUp = await BenchContext.WarmUpAsync(target, ct);
        if (pipelineDatabase is not null) await BenchContext.WaitForWarmUpExpiryAsync(pipelineDatabase, Ttl(options), ct);
        await context.WarmAsync(target, Math.Min(options.Connections, options.SustainedRates.Max()), ct);
        var views = await BenchContext.ViewsAsync(target, BenchCatalog.Shows, ct);
        using var stopRefresh = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var refresher = BenchContext.RefreshViewsAsync(target, views, TimeSpan.FromSeconds(1), stopRefresh.Token);
        var clock = new RunClock();
        var random = new Random(options.Seed);
        var steps = new List<TargetRun>();
        var nextUser = 0;
        try
        {
            foreach (var rate in options.SustainedRates)
            {
                TargetRun? step = null;
                // One noisy step must not end the run: a failing step gets a second try before the system stops.
                for (var attempt = 1; attempt <= 2 && (step is null || !Passes(step)); attempt++)
                {
                    var retry = attempt == 2;
                    if (retry) BenchContext.Log($"{target.Name}: step {rate}/s failed; running it once more");
                    var count = (int)(rate * options.StepLength.TotalSeconds);
                    var label = retry ? $"{rate}/s retry" : $"{rate}/s";
                    var arrivals = Enumerable.Range(0, count).Select(i => new Arrival(
                        i * 1000.0 / rate, BenchCatalog.Shows[random.Next(BenchCatalog.Shows.Count)], pool[nextUser++ % pool.Count], label)).ToList();
                    BenchContext.Log($"{target.Name}: step {label}, {count} arrivals");
                    var lastAt = arrivals.Count == 0 ? 0 : arrivals[^1].AtMs;
                    var start = clock.NowMs + 50;
                    var metering = context.Meter.MeasureAsync(system, clock, start + CostWindowSkip * lastAt, start + lastAt, ct);
                    var records = await new LoadGenerator(target, clock, options.Seed + rate + (retry ? 1 : 0))
                        .RunAsync(arrivals, views, payShare, options.DecisionDeadline, ct, start);
                    step = TargetRun.Of(target.Name, records, label);
                    step.OfferedRate = rate;
                    step.Retry = retry;
                    step.Cost = await CostOfAsync(system, metering, records);
                    if (pipelineDatabase is not null) step.Server = await BenchContext.ServerTimesAsync(pipelineDatabase, records, clock);
                    steps.Add(step);
                    BenchContext.Log($"{target.Name}: step {label}: {step.Held} held, {step.Rejected} rejected, {step.Errors} errors, {step.Undecided} undecided, " +
                                     $"{step.DecisionsPerSecond:0} decisions/s, decision p50 {step.Decision?.P50:0} ms p99 {step.Decision?.P99:0} ms, " +
                                     $"CPU {step.Cost?.SystemCpuMsPerArrival:0.00} ms per arrival");
                    if (!Passes(step) && !retry && pipelineDatabase is not null) await context.WaitForDecisionsAsync(pipelineDatabase);
                }
                if (step is not null && !Passes(step)) break;
            }
        }
        finally
        {
            await stopRefresh.CancelAsync();
            await refresher;
        }
        return (steps, warmUp);
    }

    static async Task<StepCost?> CostOfAsync(MeteredSystem system, Task<(CostMeter.Reading Begin, CostMeter.Reading End)> metering, IReadOnlyList<RequestRecord> records)
    {
        try
        {
            var (begin, end) = await metering;
            return CostMeter.Compare(system, begin, end, records, CostWindow);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}

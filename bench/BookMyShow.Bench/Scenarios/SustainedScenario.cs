using System.Globalization;
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
        report.Settings["steps"] = $"{string.Join(", ", options.SustainedRates)} arrivals/s, {options.StepLength.TotalSeconds:0.#} s each, evenly spaced; a step's stragglers are waited for before the next; stops after the first step over the limit";
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
            var (steps, warmUp) = await RunStepsAsync(context, target, users, payShare, null, ct);
            report.Runs.AddRange(steps);
            report.Invariants.AddRange(await Invariants.BaselineAsync(baseline.ConnectionString, [.. warmUp, .. steps.SelectMany(s => s.Records)], expectsNoExpiry: false));
            await BenchContext.SettleDatabaseAsync(baseline.ConnectionString, ct);
        }
        await using (var deployment = await context.StartPipelineAsync(workers: 1, new Dictionary<string, string?> { ["Holds__Ttl"] = ttl.ToString("c", CultureInfo.InvariantCulture) }))
        {
            using var target = context.Pipeline(deployment);
            var cs = deployment.PostgresConnectionString!;
            var (steps, warmUp) = await RunStepsAsync(context, target, users, payShare, cs, ct);
            await context.WaitForDecisionsAsync(cs);
            report.Runs.InsertRange(0, steps);
            report.Invariants.InsertRange(0, await Invariants.PipelineAsync(cs, [.. warmUp, .. steps.SelectMany(s => s.Records)], expectsNoExpiry: false));
        }

        var best = new Dictionary<string, int?>();
        foreach (var group in report.Runs.GroupBy(r => r.Target))
        {
            best[group.Key] = group.Where(Passes).Select(r => (int?)int.Parse(r.Label.Split('/')[0], CultureInfo.InvariantCulture)).Max();
            var achieved = group.Where(Passes).Select(r => (double?)r.DecisionsPerSecond).Max();
            report.Extra[$"{group.Key}_highest_passing_rate"] = best[group.Key] ?? 0;
            report.Extra[$"{group.Key}_highest_passing_decisions_per_second"] = Math.Round(achieved ?? 0);
        }
        var pipelineBest = best.GetValueOrDefault("pipeline") ?? 0;
        report.Targets.Add(new("≥ 5,000 decisions/s at p99 < 250 ms", $"{pipelineBest:N0}/s", pipelineBest >= 5000));
        if (best.TryGetValue("baseline", out var baselineBest))
        {
            var factor = (baselineBest ?? 0) == 0 ? double.PositiveInfinity : (double)pipelineBest / baselineBest!.Value;
            report.Targets.Add(new("≥ 3× the baseline's highest passing rate", $"{factor:0.00}× ({pipelineBest:N0}/s vs {baselineBest ?? 0:N0}/s)", factor >= 3));
        }
        foreach (var step in report.Runs.Where(r => r.Target == "pipeline" && r.Server is not null))
        {
            report.Notes.Add($"Pipeline step {step.Label}: " + string.Join(" ", HotShowScenario.WhereTimeGoes(step, step.Server!).Take(1)));
        }

        var chart = new SvgChart("Sustained: decision latency per step", "offered arrivals per second", "decision latency, ms");
        foreach (var group in report.Runs.GroupBy(r => r.Target))
        {
            chart.Line($"{group.Key} p99", group.Where(r => r.Decision is not null).Select(r => (Rate(r), r.Decision!.P99)));
            chart.Line($"{group.Key} p50", group.Where(r => r.Decision is not null).Select(r => (Rate(r), r.Decision!.P50)), dashed: true);
        }
        chart.Line("limit 250 ms", options.SustainedRates.Select(r => ((double)r, P99LimitMs)), dashed: true);
        chart.Save(context.PlotPath("sustained-p99.svg"));
        var rates = new SvgChart("Sustained: decisions per second over time", "seconds since the first step began", "decisions per second");
        foreach (var group in report.Runs.GroupBy(r => r.Target))
        {
            var records = group.SelectMany(r => r.Records).ToList();
            if (records.Count > 0) rates.Line(group.Key, Plots.RatePerSecond(records, records.Min(r => r.ScheduledMs)));
        }
        rates.Save(context.PlotPath("sustained-rate.svg"));
        Plots.LatencyCdf("Sustained: latency distribution per step", report.Runs.Where(r => r.Target == "pipeline")).Save(context.PlotPath("sustained-latency.svg"));
        report.Plots.AddRange(["sustained-p99.svg", "sustained-rate.svg", "sustained-latency.svg"]);
        return report;
    }

    static TimeSpan Ttl(BenchOptions options) => options.Quick ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(10);

    static double Rate(TargetRun run) => double.Parse(run.Label.Split('/')[0], CultureInfo.InvariantCulture);

    public static bool Passes(TargetRun step) =>
        step.Decision is { } d && d.P99 < P99LimitMs && step.Errors == 0 && step.Undecided == 0;

    static async Task<(List<TargetRun> Steps, List<RequestRecord> WarmUp)> RunStepsAsync(BenchContext context, ITarget target, List<string> users, double payShare, string? pipelineDatabase, CancellationToken ct)
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
                var count = (int)(rate * options.StepLength.TotalSeconds);
                var arrivals = Enumerable.Range(0, count).Select(i => new Arrival(
                    i * 1000.0 / rate, BenchCatalog.Shows[random.Next(BenchCatalog.Shows.Count)], pool[nextUser++ % pool.Count], $"{rate}/s")).ToList();
                BenchContext.Log($"{target.Name}: step {rate}/s, {count} arrivals");
                var records = await new LoadGenerator(target, clock, options.Seed + rate).RunAsync(arrivals, views, payShare, options.DecisionDeadline, ct);
                var step = TargetRun.Of(target.Name, records, $"{rate}/s");
                if (pipelineDatabase is not null) step.Server = await BenchContext.ServerTimesAsync(pipelineDatabase, records, clock);
                steps.Add(step);
                BenchContext.Log($"{target.Name}: step {rate}/s: {step.Held} held, {step.Rejected} rejected, {step.Errors} errors, {step.Undecided} undecided, " +
                                 $"{step.DecisionsPerSecond:0} decisions/s, decision p50 {step.Decision?.P50:0} ms p99 {step.Decision?.P99:0} ms");
                if (!Passes(step)) break;
            }
        }
        finally
        {
            await stopRefresh.CancelAsync();
            await refresher;
        }
        return (steps, warmUp);
    }
}

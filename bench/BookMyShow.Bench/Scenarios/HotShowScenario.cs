using System.Globalization;
using BookMyShow.Bench.Cost;
using BookMyShow.Bench.Load;
using BookMyShow.Bench.Report;

namespace BookMyShow.Bench.Scenarios;

/// <summary>
/// Scenario 1: the on-sale rush. N users arrive within the window at one 200-seat show, each asking for 1–4 adjacent
/// seats from the map they loaded when the sale opened. The baseline gets the same users, seats and arrival times.
/// </summary>
public static class HotShowScenario
{
    public static async Task<ScenarioReport> RunAsync(BenchContext context, CancellationToken ct)
    {
        var options = context.Options;
        var show = BenchCatalog.HotShow;
        var report = new ScenarioReport { Name = "hot", Title = "1. Hot show" };
        report.Settings["users"] = options.HotUsers.ToString(CultureInfo.InvariantCulture);
        report.Settings["arrival window"] = $"{options.HotWindow.TotalSeconds:0.###} s, uniform";
        report.Settings["show"] = $"{show}, {BenchCatalog.SeatsPerShow} seats";
        report.Settings["seat view"] = "the seat map read once when the sale opens (every user picks from the same copy)";
        report.Settings["pay share"] = options.PayShare.ToString("0.##", CultureInfo.InvariantCulture);
        report.Settings["pipeline"] = "1 gateway, 1 worker, 16 partitions";

        var users = Enumerable.Range(0, options.HotUsers).Select(i => $"u_{i:00000}").ToList();
        if (options.RunBaseline)
        {
            await using var baseline = await context.StartBaselineAsync(TimeSpan.FromMinutes(10));
            using var target = context.Baseline(baseline);
            var (run, warmUp) = await RunTargetAsync(context, target, BenchContext.BaselineSystem(baseline), show, users, ct);
            run.Inversions = [OrderInversions.Count(run.Records, r => r.ScheduledMs, OrderInversions.Planned)];
            report.Runs.Add(run);
            report.Invariants.AddRange(await Invariants.BaselineAsync(baseline.ConnectionString, [.. warmUp, .. run.Records], expectsNoExpiry: true));
            await BenchContext.SettleDatabaseAsync(baseline.ConnectionString, ct);
        }
        await using (var deployment = await context.StartPipelineAsync(workers: 1))
        {
            using var target = context.Pipeline(deployment);
            var clock = new RunClock();
            var (run, warmUp) = await RunTargetAsync(context, target, BenchContext.PipelineSystem(deployment), show, users, ct, clock);
            var cs = deployment.PostgresConnectionString!;
            await context.WaitForDecisionsAsync(cs);
            run.Server = await BenchContext.ServerTimesAsync(cs, run.Records, clock);
            run.Inversions = [OrderInversions.Count(run.Records, r => r.ScheduledMs, OrderInversions.Planned)];
            if (await OrderInversions.AdmissionOrderAsync(cs, ct) is { } seq)
            {
                run.Inversions.Add(OrderInversions.Count(run.Records, r => r.RequestId is { } id && seq.TryGetValue(id, out var n) ? n : null, OrderInversions.Admission));
            }
            report.Runs.Insert(0, run);
            report.Invariants.InsertRange(0, await Invariants.PipelineAsync(cs, [.. warmUp, .. run.Records], expectsNoExpiry: true));
        }

        Judge(context, report);
        var runs = report.Runs;
        Plots.DecisionsOverTime($"Hot show: {options.HotUsers:N0} users, {BenchCatalog.SeatsPerShow} seats — decisions over time", runs).Save(context.PlotPath("hot-decisions.svg"));
        Plots.LatencyCdf("Hot show: latency distribution", runs).Save(context.PlotPath("hot-latency.svg"));
        report.Plots.AddRange(["hot-decisions.svg", "hot-latency.svg"]);
        return report;
    }

    /// <summary>What the cost meter covers in the hot show.</summary>
    const string CostWindow = "the whole burst: from a reading half a second before the first arrival until every user had an answer (and the payers had paid), " +
                              "divided by all its arrivals (RabbitMQ's statistics and pg_stat_database, published up to a second late, are read half a second after each edge)";

    static async Task<(TargetRun Run, List<RequestRecord> WarmUp)> RunTargetAsync(
        BenchContext context, ITarget target, MeteredSystem system, string show, List<string> users, CancellationToken ct, RunClock? clock = null)
    {
        var options = context.Options;
        BenchContext.Log($"{target.Name}: {users.Count} users, tokens and connections");
        await target.PrepareUsersAsync(users, ct);
        var warmUp = await BenchContext.WarmUpAsync(target, ct);
        await context.WarmAsync(target, users.Count, ct);
        var views = await BenchContext.ViewsAsync(target, [show], ct);
        var arrivals = Plan(users, show, views[show], options.HotWindow, options.Seed);
        clock ??= new RunClock();
        BenchContext.Log($"{target.Name}: {arrivals.Count} arrivals over {options.HotWindow.TotalSeconds:0.##} s");
        var begin = await context.Meter.ReadAsync(system, clock, ct);
        var records = await new LoadGenerator(target, clock, options.Seed).RunAsync(arrivals, views, options.PayShare, options.DecisionDeadline, ct);
        var end = await context.Meter.ReadAsync(system, clock, ct);
        var run = TargetRun.Of(target.Name, records);
        run.Cost = CostMeter.Compare(system, begin, end, records, CostWindow);
        BenchContext.Log($"{target.Name}: {run.Held} held, {run.Rejected} rejected, {run.Errors} errors, {run.Undecided} undecided; " +
                         $"drain {run.FirstArrivalToLastDecisionMs:0} ms, decision p99 {run.Decision?.P99:0} ms");
        return (run, warmUp);
    }

    /// <summary>The same arrivals and seat choices for both targets: the seed decides them, from the same full map.</summary>
    public static List<Arrival> Plan(IReadOnlyList<string> users, string show, SeatView view, TimeSpan window, int seed)
    {
        var random = new Random(seed);
        var times = users.Select(_ => random.NextDouble() * window.TotalMilliseconds).Order().ToList();
        return users.Select((user, i) => new Arrival(times[i], show, user, Seats: view.Pick(random))).ToList();
    }

    /// <summary>Issue 15's targets for the hot show: as fast as the baseline to the last answer, no double holds, no order inversions.</summary>
    static void Judge(BenchContext context, ScenarioReport report)
    {
        var pipeline = report.Runs.FirstOrDefault(r => r.Target == "pipeline");
        var baseline = report.Runs.FirstOrDefault(r => r.Target == "baseline");
        const string tailTarget = "every decision seen by its user ≤ 1.0× the baseline's time after the last arrival";
        if (pipeline?.LastArrivalToLastDecisionMs is { } tail && baseline?.LastArrivalToLastDecisionMs is { } baselineTail)
        {
            var factor = tail / Math.Max(1, baselineTail);
            report.Targets.Add(context.TimingTarget(tailTarget, $"{factor:0.00}× ({tail / 1000:0.00} s vs {baselineTail / 1000:0.00} s)", factor <= 1.0));
        }
        else
        {
            report.Targets.Add(context.TimingTarget(tailTarget, pipeline?.LastArrivalToLastDecisionMs is { } only ? $"{only / 1000:0.00} s; baseline not run" : "no decision seen", null));
        }
        var doubles = report.Invariants.Where(c => c.Name.Contains("two", StringComparison.Ordinal)).ToList();
        report.Targets.Add(new("0 double holds", doubles.All(c => c.Passed) ? "0" : "FOUND", doubles.All(c => c.Passed)));
        // Not a timing: judged in quick mode too. The pipeline's promise is first come, first served in the order it
        // admitted the requests; the planned order (the same for both systems) is shown beside it.
        var own = pipeline?.Inversions?.LastOrDefault();
        if (own is not null)
        {
            string Planned(TargetRun? run) => run?.Inversions?.FirstOrDefault(i => i.Order == OrderInversions.Planned) is { } p ? $"{p.Seats}" : "—";
            report.Targets.Add(new("0 order inversions (pipeline)",
                $"{own.Seats} seats in {own.Order}; in the planned arrival order: pipeline {Planned(pipeline)}, baseline {Planned(baseline)}", own.Seats == 0));
            if (own.Seats > 0) report.Notes.Add($"Pipeline order inversions in {own.Order}, e.g.: {string.Join("; ", own.Examples)}.");
        }
        if (pipeline?.Server is { } server) report.Notes.AddRange(WhereTimeGoes(pipeline, server));
    }

    /// <summary>The pipeline's latency split by the database's own timestamps.</summary>
    public static IEnumerable<string> WhereTimeGoes(TargetRun pipeline, ServerSideTimes server)
    {
        static string P(LatencySummary? s) => s is null ? "—" : $"p50 {s.P50:0} ms, p99 {s.P99:0} ms, max {s.Max:0} ms";
        yield return $"Pipeline, where the time goes (from hold_requests.admitted_at/decided_at): arrival → admitted_at (HTTP, auth, validation, contact upsert) {P(server.ArrivalToAdmitted)}; " +
                     $"admitted_at → 202 received (insert, position count, broker confirm) {P(server.AdmittedToAccepted)}; " +
                     $"admitted_at → decided_at (partition queue + decision) {P(server.AdmittedToDecided)}; " +
                     $"decided_at → user sees it (outbox, broker, gateway fan-out, SSE) {P(server.DecidedToSeen)}.";
        yield return $"Pipeline decisions in the database: first admission → last decision {server.DecisionSpanMs / 1000:0.00} s, busiest second {server.PeakDecisionsPerSecond} decisions.";
        if (pipeline.GeneratorLag is { } lag && lag.P99 > 50)
        {
            yield return $"The load generator fell behind its schedule (p99 {lag.P99:0} ms, max {lag.Max:0} ms): it shares the 2 cores with every process of the system.";
        }
    }
}

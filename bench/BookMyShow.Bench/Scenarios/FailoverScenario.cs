using System.Globalization;
using BookMyShow.Bench.Load;
using BookMyShow.Bench.Report;

namespace BookMyShow.Bench.Scenarios;

/// <summary>
/// Scenario 4: the hot show with two workers, and the active one (the first started, which holds every partition's
/// single-active-consumer slot) SIGKILLed halfway through the arrivals. Measures the gap in decisions and checks that
/// every request is still decided once.
/// </summary>
public static class FailoverScenario
{
    /// <summary>Issue 15: the standby takes over within a second, the reload of the shows it takes over included.</summary>
    const string ResumeTarget = "decisions resume ≤ 1 s after the kill (the taken-over shows' reload included)";

    public static async Task<ScenarioReport> RunAsync(BenchContext context, CancellationToken ct)
    {
        var options = context.Options;
        var show = BenchCatalog.HotShow;
        var killAt = options.HotWindow / 2;
        var report = new ScenarioReport { Name = "failover", Title = "4. Failover during the hot show" };
        report.Settings["users"] = $"{options.HotUsers:N0} over {options.HotWindow.TotalSeconds:0.###} s at {show}, as scenario 1";
        report.Settings["pipeline"] = "1 gateway, 2 workers; worker 1 (the active consumer) SIGKILLed";
        report.Settings["kill"] = $"{killAt.TotalMilliseconds:0} ms after the first arrival";
        report.Settings["baseline"] = "not run (a single process on a database: nothing to fail over)";

        var users = Enumerable.Range(0, options.HotUsers).Select(i => $"u_{i:00000}").ToList();
        await using var deployment = await context.StartPipelineAsync(workers: 2);
        using var target = context.Pipeline(deployment);
        var cs = deployment.PostgresConnectionString!;
        await target.PrepareUsersAsync(users, ct);
        var warmUp = await BenchContext.WarmUpAsync(target, ct);
        await context.WarmAsync(target, users.Count, ct);
        var views = await BenchContext.ViewsAsync(target, [show], ct);
        var arrivals = HotShowScenario.Plan(users, show, views[show], options.HotWindow, options.Seed);
        var clock = new RunClock();
        var killedMs = 0.0;
        var active = deployment.Workers[0];
        var kill = Task.Run(async () =>
        {
            await Task.Delay(killAt + TimeSpan.FromMilliseconds(20), ct);
            active.Kill();
            killedMs = clock.NowMs;
            BenchContext.Log($"killed {active}");
        }, ct);
        var records = await new LoadGenerator(target, clock, options.Seed).RunAsync(arrivals, views, options.PayShare, options.DecisionDeadline, ct);
        await kill;
        await context.WaitForDecisionsAsync(cs);
        var run = TargetRun.Of("pipeline", records);
        run.Server = await BenchContext.ServerTimesAsync(cs, records, clock);
        report.Runs.Add(run);
        report.Invariants.AddRange(await Invariants.PipelineAsync(cs, [.. warmUp, .. records], expectsNoExpiry: true));
        report.Invariants.Add(new("pipeline: the standby worker is still running", !deployment.Workers[1].HasExited, deployment.Workers[1].ToString()));

        var runIds = records.Where(r => r.RequestId is not null).Select(r => r.RequestId!).ToHashSet();
        var rows = (await BenchContext.RequestTimesAsync(cs)).Where(r => runIds.Contains(r.Id)).ToList();
        var decidedMs = rows.Where(r => r.DecidedAt is not null).Select(r => clock.MsOf(r.DecidedAt!.Value)).Order().ToList();
        var lastBefore = decidedMs.Where(t => t <= killedMs).DefaultIfEmpty(double.NaN).Max();
        var firstAfter = decidedMs.Where(t => t > killedMs).DefaultIfEmpty(double.NaN).Min();
        var seenAfter = records.Where(r => r.DecidedMs > killedMs).Select(r => r.DecidedMs!.Value).DefaultIfEmpty(double.NaN).Min();
        var resume = firstAfter - killedMs;
        report.Extra["kill_ms_after_first_arrival"] = Math.Round(killedMs - records.Min(r => r.ScheduledMs));
        report.Extra["decided_before_kill"] = decidedMs.Count(t => t <= killedMs);
        report.Extra["decided_after_kill"] = decidedMs.Count(t => t > killedMs);
        report.Extra["resume_ms"] = double.IsNaN(resume) ? -1 : Math.Round(resume);
        report.Extra["gap_ms"] = double.IsNaN(firstAfter - lastBefore) ? -1 : Math.Round(firstAfter - lastBefore);
        if (double.IsNaN(firstAfter))
        {
            report.Notes.Add("Every request was decided before the kill: raise --hot-users or shorten the window to see a failover.");
            report.Targets.Add(context.TimingTarget(ResumeTarget, "no decision was left after the kill", null));
        }
        else
        {
            // The first decision after the kill may be followed by a stall while the rest is taken over: the longest
            // pause between decisions from the kill on is shown beside it (it also holds the system's own pauses).
            var after = decidedMs.Where(t => t > killedMs).Prepend(killedMs).ToList();
            var longestPause = after.Zip(after.Skip(1), (a, b) => b - a).DefaultIfEmpty(0).Max();
            report.Extra["longest_pause_after_kill_ms"] = Math.Round(longestPause);
            report.Targets.Add(context.TimingTarget(ResumeTarget,
                $"{resume / 1000:0.00} s (database decided_at); users saw the next one {(seenAfter - killedMs) / 1000:0.00} s after; " +
                $"longest pause between decisions from the kill on {longestPause / 1000:0.00} s", resume <= 1_000));
            report.Notes.Add($"Decisions in the database: {decidedMs.Count(t => t <= killedMs)} before the kill, the last {(killedMs - lastBefore):0} ms before it; " +
                             $"{decidedMs.Count(t => t > killedMs)} after, the first {resume:0} ms after it; the longest pause between decisions after the kill {longestPause:0} ms.");
        }

        var chart = Plots.DecisionsOverTime("Failover: decisions over time (active worker killed)", [run]);
        var origin = records.Min(r => r.ScheduledMs);
        chart.Line("decided_at (database)", SvgChart.Cumulative(decidedMs.Select(t => (t - origin) / 1000)), steps: true);
        chart.Marker((killedMs - origin) / 1000, "worker killed");
        chart.Save(context.PlotPath("failover-decisions.svg"));
        Plots.LatencyCdf("Failover: latency distribution", [run]).Save(context.PlotPath("failover-latency.svg"));
        report.Plots.AddRange(["failover-decisions.svg", "failover-latency.svg"]);
        report.Settings["kill (measured)"] = $"{(killedMs - origin).ToString("0", CultureInfo.InvariantCulture)} ms after the first arrival";
        return report;
    }
}

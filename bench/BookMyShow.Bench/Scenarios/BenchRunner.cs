using System.Diagnostics;
using System.Globalization;
using BookMyShow.Bench.Cost;
using BookMyShow.Bench.Report;
using BookMyShow.TestInfrastructure;

namespace BookMyShow.Bench.Scenarios;

/// <summary>
/// Starts PostgreSQL and RabbitMQ, runs the chosen scenarios (each on a fresh deployment and baseline), writes the
/// report and exits non-zero only when an invariant failed or a scenario could not run — never because of a timing.
/// </summary>
public static class BenchRunner
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(BenchOptions.Usage);
            return 0;
        }
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }
        // Bursts of thousands of requests: do not make them wait for the thread pool to grow.
        ThreadPool.SetMinThreads(Math.Max(64, Environment.ProcessorCount * 16), Math.Max(64, Environment.ProcessorCount * 16));
        var started = DateTime.UtcNow;
        var outDirectory = Path.GetFullPath(options.OutDirectory ?? Path.Combine(RepoRoot(), "bench", "reports", started.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
        Directory.CreateDirectory(outDirectory);
        var catalog = BenchCatalog.Write(Path.Combine(outDirectory, "work"));
        BenchContext.Log($"report folder {outDirectory}; scenarios {string.Join(", ", options.Scenarios)}{(options.Quick ? " (quick)" : "")}");

        BenchContext.Log("starting PostgreSQL and RabbitMQ");
        var managementPort = CostMeter.PrepareServers();
        await using var services = await TestServices.StartAsync();
        BenchContext.Log(services.Description);
        using var cancel = new CancellationTokenSource();
        using var meter = await CostMeter.CreateAsync(services, managementPort, BenchContext.Log, cancel.Token);
        var context = new BenchContext(options, services, meter, catalog, outDirectory);
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

        var reports = new List<ScenarioReport>();
        foreach (var name in options.Scenarios)
        {
            var clock = Stopwatch.StartNew();
            var steal = new CpuSteal();
            BenchContext.Log($"=== scenario {name}");
            ScenarioReport report;
            try
            {
                report = name switch
                {
                    "hot" => await HotShowScenario.RunAsync(context, cancel.Token),
                    "sustained" => await SustainedScenario.RunAsync(context, cancel.Token),
                    "expiry" => await ExpiryStormScenario.RunAsync(context, cancel.Token),
                    "failover" => await FailoverScenario.RunAsync(context, cancel.Token),
                    _ => throw new ArgumentException(name),
                };
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
            {
                BenchContext.Log($"scenario {name} failed: {e}");
                report = new ScenarioReport { Name = name, Title = name, Failure = e.ToString() };
            }
            report.DurationSeconds = clock.Elapsed.TotalSeconds;
            report.StealPercent = steal.PercentSinceStart();
            if (report.StealPercent is { } stolen) BenchContext.Log($"scenario {name}: {stolen:0} % of the CPU time went to other guests (steal)");
            reports.Add(report);
            ReportWriter.Write(outDirectory, ReportWriter.Machine(), options.Describe(), reports, started, options.Quick);
            if (cancel.IsCancellationRequested) break;
        }
        try { Directory.Delete(Path.Combine(outDirectory, "work"), recursive: true); }
        catch (IOException) { /* only the catalog file */ }

        Console.WriteLine();
        Console.WriteLine("Invariants:");
        foreach (var report in reports)
        {
            if (report.Failure is not null) Console.WriteLine($"  FAIL  {report.Name}: the scenario did not complete ({report.Failure.Split('\n')[0]})");
            foreach (var check in report.Invariants) Console.WriteLine($"  {(check.Passed ? "ok  " : "FAIL")}  {report.Name}: {check.Name} — {check.Detail}");
        }
        Console.WriteLine();
        Console.WriteLine(options.Quick ? "Targets (reported, never failing the run; quick mode: timings not judged):" : "Targets (reported, never failing the run):");
        foreach (var report in reports)
        {
            foreach (var target in report.Targets) Console.WriteLine($"  {(target.Met switch { true => "met   ", false => "missed", null => "n/a   " })}  {report.Name}: {target.Target}: {target.Measured}");
        }
        Console.WriteLine();
        Console.WriteLine($"Report: {Path.Combine(outDirectory, "summary.md")}");
        var failed = reports.Any(r => r.Failure is not null || r.Invariants.Any(c => !c.Passed));
        return failed ? 1 : 0;
    }

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "BookMyShow.sln"))) return dir.FullName;
        }
        return Environment.CurrentDirectory;
    }
}

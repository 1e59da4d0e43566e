using System.Globalization;
using BookMyShow.Bench.Baseline;
using BookMyShow.Bench.Cost;
using BookMyShow.Bench.Load;
using BookMyShow.Bench.Report;
using BookMyShow.TestInfrastructure;
using Npgsql;

namespace BookMyShow.Bench.Scenarios;

/// <summary>What every scenario shares: the options, the PostgreSQL/RabbitMQ servers, the cost meter, the catalog, the report folder.</summary>
public sealed class BenchContext(BenchOptions options, TestServices services, CostMeter meter, string catalogFile, string outDirectory)
{
    public BenchOptions Options => options;
    public TestServices Services => services;
    public CostMeter Meter => meter;
    public string CatalogFile => catalogFile;
    public string OutDirectory => outDirectory;

    /// <summary>
    /// A target on a timing or a cost, judged in full mode only: quick mode (CI) runs numbers too small to say
    /// anything about speed, and checks the invariants alone.
    /// </summary>
    public TargetCheck TimingTarget(string target, string measured, bool? met) =>
        options.Quick ? new(target, $"{measured} (quick mode: timings not judged)", null) : new(target, measured, met);

    /// <summary>The pipeline's processes for the cost meter: its gateway and workers, PostgreSQL and RabbitMQ.</summary>
    public static MeteredSystem PipelineSystem(Deployment deployment)
    {
        var roles = new Dictionary<int, string> { [deployment.Gateway.Id] = ProcessCpu.Gateway };
        foreach (var worker in deployment.Workers) roles[worker.Id] = ProcessCpu.Worker;
        return new MeteredSystem("pipeline", roles, [ProcessCpu.Gateway, ProcessCpu.Worker, ProcessCpu.Postgres, ProcessCpu.RabbitMq],
            new NpgsqlConnectionStringBuilder(deployment.PostgresConnectionString).Database!,
            Uri.UnescapeDataString(deployment.RabbitMqUri!.AbsolutePath.Trim('/')));
    }

    /// <summary>The baseline's processes for the cost meter: its server and PostgreSQL (the idle broker is shown, not counted).</summary>
    public static MeteredSystem BaselineSystem(BaselineProcess baseline) =>
        new("baseline", new Dictionary<int, string> { [baseline.Process.Id] = ProcessCpu.BaselineServer }, [ProcessCpu.BaselineServer, ProcessCpu.Postgres],
            new NpgsqlConnectionStringBuilder(baseline.ConnectionString).Database!, null);

    /// <summary>
    /// The servers' JIT settings as deployed, for the pipeline's processes and the baseline server alike (ADR 0012):
    /// tiered compilation off, and the framework's ReadyToRun code not used, so that it is compiled optimised too.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string?> ServerJit = new Dictionary<string, string?>
    {
        ["DOTNET_TieredCompilation"] = "0",
        ["DOTNET_ReadyToRun"] = "0",
    };

    public static void Log(string message) =>
        Console.WriteLine($"[{DateTime.UtcNow.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}] {message}");

    /// <summary>A fresh distributed deployment (its own database and virtual host) with the bench catalog.</summary>
    public async Task<Deployment> StartPipelineAsync(int workers, IDictionary<string, string?>? settings = null)
    {
        Log($"starting the pipeline: 1 gateway, {workers} worker(s)");
        // Measured as deployed: without the test infrastructure's quick-JIT override (ADR 0012).
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        foreach (var (key, value) in ServerJit) all[key] = value;
        var deployment = await Deployment.StartDistributedAsync(workers, all, services, catalogFile);
        Log($"pipeline ready at {deployment.Api.Http.BaseAddress}");
        return deployment;
    }

    public async Task<BaselineProcess> StartBaselineAsync(TimeSpan ttl)
    {
        Log("starting the baseline server");
        var baseline = await BaselineProcess.StartAsync(services, catalogFile, ttl, options.BaselinePool);
        Log($"baseline ready at {baseline.BaseAddress}");
        return baseline;
    }

    /// <summary>
    /// Settles PostgreSQL after a system's run, before the other system's: vacuums that run's database and checkpoints,
    /// so the next run does not share the cores with the autovacuum and the checkpoint that its writes set off (the
    /// baseline's sustained steps write about a hundred thousand rows; after them the pipeline's first step measured
    /// p99 336 ms, against 131 ms without the baseline before it).
    /// </summary>
    public static async Task SettleDatabaseAsync(string connectionString, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using (var vacuum = new NpgsqlCommand("VACUUM (ANALYZE)", connection) { CommandTimeout = 600 })
        {
            await vacuum.ExecuteNonQueryAsync(ct);
        }
        await using (var checkpoint = new NpgsqlCommand("CHECKPOINT", connection) { CommandTimeout = 600 })
        {
            await checkpoint.ExecuteNonQueryAsync(ct);
        }
        Log($"database settled (vacuum, checkpoint) in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
    }

    public PipelineTarget Pipeline(Deployment deployment) =>
        new(deployment.Api.Http.BaseAddress!, options.Connections, options.Listen, options.PollInterval);

    public BaselineTarget Baseline(BaselineProcess baseline) => new(baseline.BaseAddress, options.Connections);

    /// <summary>Opens the keep-alive connections before the run (requests; and, for the pipeline's SSE, one per expected open stream).</summary>
    public async Task WarmAsync(ITarget target, int expectedConcurrentRequests, CancellationToken ct)
    {
        switch (target)
        {
            case PipelineTarget pipeline:
                await BenchHttp.WarmAsync(pipeline.Http.Requests, "/health/live", Math.Min(options.Connections, expectedConcurrentRequests), ct);
                if (options.Listen == ListenMode.Sse) await BenchHttp.WarmAsync(pipeline.Http.Streams, "/health/live", Math.Min(10_000, expectedConcurrentRequests), ct);
                break;
            case BaselineTarget baseline:
                await BenchHttp.WarmAsync(baseline.Http.Requests, "/health", Math.Min(options.Connections, expectedConcurrentRequests), ct);
                break;
        }
    }

    /// <summary>
    /// A few holds (and payments) on the last show before measuring, so the first users of the run do not pay for
    /// JIT, EF query compilation and cold connection pools. Their records take part in the invariant checks.
    /// </summary>
    public static async Task<List<RequestRecord>> WarmUpAsync(ITarget target, CancellationToken ct)
    {
        const string user = "u_warmup";
        var show = BenchCatalog.Shows[^1];
        await target.PrepareUsersAsync([user], ct);
        var views = await ViewsAsync(target, [show], ct);
        var arrivals = Enumerable.Range(0, 40).Select(i => new Arrival(i * 25.0, show, user, "warm-up")).ToList();
        var records = await new LoadGenerator(target, new RunClock(), 99).RunAsync(arrivals, views, 0.5, TimeSpan.FromSeconds(60), ct);
        Log($"{target.Name}: warm-up {records.Count(r => r.Outcome == Outcome.Held)} held, {records.Count(r => r.Outcome == Outcome.Rejected)} rejected, {records.Count(r => r.Outcome is Outcome.Error or Outcome.Undecided)} errors");
        return records;
    }

    public static async Task<Dictionary<string, SeatView>> ViewsAsync(ITarget target, IEnumerable<string> shows, CancellationToken ct)
    {
        var views = new Dictionary<string, SeatView>();
        foreach (var show in shows)
        {
            var view = new SeatView(show);
            view.Update(await target.SeatMapAsync(show, ct));
            views[show] = view;
        }
        return views;
    }

    /// <summary>Keeps the users' copies of the seat maps about a second old, as a browser that reloads the map would.</summary>
    public static async Task RefreshViewsAsync(ITarget target, IReadOnlyDictionary<string, SeatView> views, TimeSpan every, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, ct);
                foreach (var (show, view) in views) view.Update(await target.SeatMapAsync(show, ct));
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (HttpRequestException e)
            {
                Log($"seat map refresh failed: {e.Message}");
            }
        }
    }

    /// <summary>The pipeline's requests as its database saw them: admitted_at and decided_at, against what the users saw.</summary>
    public static async Task<ServerSideTimes> ServerTimesAsync(string connectionString, IReadOnlyList<RequestRecord> records, RunClock clock)
    {
        var byId = records.Where(r => r.RequestId is not null).ToDictionary(r => r.RequestId!);
        var rows = (await RequestTimesAsync(connectionString)).Where(r => byId.ContainsKey(r.Id)).ToList();
        var matched = rows.Select(r => (Row: r, Record: byId[r.Id])).ToList();
        var decided = rows.Where(r => r.DecidedAt is not null).ToList();
        return new ServerSideTimes
        {
            ArrivalToAdmitted = LatencySummary.Of(matched.Select(m => clock.MsOf(m.Row.AdmittedAt) - m.Record.ScheduledMs)),
            AdmittedToAccepted = LatencySummary.Of(matched.Where(m => m.Record.AdmittedMs is not null).Select(m => m.Record.AdmittedMs!.Value - clock.MsOf(m.Row.AdmittedAt))),
            AdmittedToDecided = LatencySummary.Of(decided.Select(r => (r.DecidedAt!.Value - r.AdmittedAt).TotalMilliseconds)),
            DecidedToSeen = LatencySummary.Of(matched.Where(m => m.Record.DecidedMs is not null && m.Row.DecidedAt is not null)
                .Select(m => m.Record.DecidedMs!.Value - clock.MsOf(m.Row.DecidedAt!.Value))),
            DecisionSpanMs = decided.Count == 0 ? 0 : (decided.Max(r => r.DecidedAt!.Value) - rows.Min(r => r.AdmittedAt)).TotalMilliseconds,
            PeakDecisionsPerSecond = decided.Count == 0 ? 0 : decided.GroupBy(r => r.DecidedAt!.Value.Ticks / TimeSpan.TicksPerSecond).Max(g => g.Count()),
        };
    }

    public sealed record RequestTimes(string Id, string ShowId, DateTime AdmittedAt, DateTime? DecidedAt, string Status);

    public static async Task<List<RequestTimes>> RequestTimesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand("SELECT id, show_id, admitted_at, decided_at, status FROM hold_requests", connection);
        await using var reader = await select.ExecuteReaderAsync();
        var rows = new List<RequestTimes>();
        while (await reader.ReadAsync())
        {
            rows.Add(new RequestTimes(reader.GetString(0), reader.GetString(1), reader.GetDateTime(2), reader.IsDBNull(3) ? null : reader.GetDateTime(3), reader.GetString(4)));
        }
        return rows;
    }

    public static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L, CultureInfo.InvariantCulture);
    }

    /// <summary>Waits until the database has decided every admitted request (the users may have given up earlier).</summary>
    public async Task WaitForDecisionsAsync(string connectionString)
    {
        var timeout = options.Quick ? TimeSpan.FromSeconds(90) : TimeSpan.FromMinutes(5);
        try
        {
            await Deadline.UntilAsync(async () => await ScalarAsync(connectionString, "SELECT count(*) FROM hold_requests WHERE status = 'QUEUED'") == 0,
                timeout, "every admitted request to be decided");
        }
        catch (TimeoutException e)
        {
            Log(e.Message);
        }
    }

    public string PlotPath(string name) => Path.Combine(outDirectory, name);

    /// <summary>
    /// The warm-up's unpaid holds expire one TTL after it. Waited for before a measured run, so that it does not pay
    /// for compiling the expiry path (the servers compile everything on first use, ADR 0012); the baseline expires lazily.
    /// </summary>
    public static async Task WaitForWarmUpExpiryAsync(string pipelineDatabase, TimeSpan ttl, CancellationToken ct)
    {
        var limit = ttl + TimeSpan.FromSeconds(30);
        var waited = System.Diagnostics.Stopwatch.StartNew(); // monotonic: a wall-clock step cannot cut the wait short
        await using var connection = new NpgsqlConnection(pipelineDatabase);
        await connection.OpenAsync(ct);
        await using var active = new NpgsqlCommand("SELECT count(*) FROM holds WHERE status = 'ACTIVE'", connection);
        long left;
        while ((left = (long)(await active.ExecuteScalarAsync(ct))!) > 0 && waited.Elapsed < limit)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }
        BenchContext.Log(left == 0 ? "pipeline: the warm-up's holds have ended (expiry path compiled)" : $"pipeline: {left} warm-up holds still active; going on");
    }
}

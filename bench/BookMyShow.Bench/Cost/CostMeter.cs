using System.Text.RegularExpressions;
using BookMyShow.Bench.Load;
using BookMyShow.TestInfrastructure;

namespace BookMyShow.Bench.Cost;

/// <summary>
/// Reads every counter at the start and the end of a window and turns the differences into costs per arrival. At
/// each edge: the CPU, then the exact counters (transaction ids, pg_stat_statements), then, <see cref="LateCounterDelay"/>
/// later, the counters published late — RabbitMQ's statistics, emitted by each channel and queue once a second, and
/// pg_stat_database, which a busy backend publishes at most once a second: on average half a second old when read,
/// so read half a second late they stand for the edge. The readings' own small work (three queries, two HTTP calls
/// to the management API) falls inside the CPU window at its start, outside it at its end.
/// </summary>
public sealed partial class CostMeter(BrokerCounters? broker, DatabaseCounters database, bool statements) : IDisposable
{
    /// <summary>Set before the bench starts its servers: management plugin on this port, pg_stat_statements loaded.</summary>
    public static int PrepareServers()
    {
        var port = FreePort.Next();
        Environment.SetEnvironmentVariable("BMS_TEST_RABBITMQ_MANAGEMENT_PORT", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Environment.SetEnvironmentVariable("BMS_TEST_PG_STAT_STATEMENTS", "1");
        return port;
    }

    /// <summary>The meter for the servers started after <see cref="PrepareServers"/>; says what it cannot count.</summary>
    public static async Task<CostMeter> CreateAsync(TestServices services, int managementPort, Action<string> log, CancellationToken ct)
    {
        var brokerCounters = new BrokerCounters(new Uri($"http://127.0.0.1:{managementPort}/"));
        if (!await brokerCounters.AvailableAsync(ct))
        {
            log("RabbitMQ's management API does not answer: no broker message counts (is the broker the bench's own?)");
            brokerCounters.Dispose();
            brokerCounters = null;
        }
        var databaseCounters = new DatabaseCounters(services.PostgresAdminConnectionString);
        var statements = await databaseCounters.EnableStatementsAsync(ct);
        if (!statements) log("pg_stat_statements is not loaded: no statement counts by kind");
        return new CostMeter(brokerCounters, databaseCounters, statements);
    }

    /// <summary>How long after the edge the late-published counters are read: half their one-second publication interval.</summary>
    public static readonly TimeSpan LateCounterDelay = TimeSpan.FromSeconds(0.5);

    public sealed record Reading(double AtMs, Dictionary<string, double> Cpu, Dictionary<string, long>? Broker, DatabaseReading? Database, string? BrokerError, string? DatabaseError);

    /// <summary>Reads at <paramref name="fromMs"/> and at <paramref name="toMs"/> on the run's clock.</summary>
    public async Task<(Reading Begin, Reading End)> MeasureAsync(MeteredSystem system, RunClock clock, double fromMs, double toMs, CancellationToken ct)
    {
        await DelayUntilAsync(clock, fromMs, ct);
        var begin = await ReadAsync(system, clock, ct);
        await DelayUntilAsync(clock, toMs, ct);
        var end = await ReadAsync(system, clock, ct);
        return (begin, end);
    }

    /// <summary>One edge: the CPU and the exact counters now, the late-published ones <see cref="LateCounterDelay"/> later.</summary>
    public async Task<Reading> ReadAsync(MeteredSystem system, RunClock clock, CancellationToken ct)
    {
        var at = clock.NowMs;
        var cpu = ProcessCpu.Sample(system.Roles);
        string? databaseError = null;
        (long NextTransactionId, Dictionary<string, long>? Statements)? exact = null;
        try
        {
            exact = await database.ReadExactAsync(system.Database, statements, ct);
        }
        catch (Npgsql.NpgsqlException e)
        {
            databaseError = $"database counters: {e.Message}";
        }
        await DelayUntilAsync(clock, at + LateCounterDelay.TotalMilliseconds, ct);
        var (brokerCounts, brokerError) = await ReadBrokerAsync(system, ct);
        DatabaseReading? databaseReading = null;
        try
        {
            if (exact is { } e) databaseReading = new DatabaseReading(await database.ReadTransactionsAsync(system.Database, ct), e.NextTransactionId, e.Statements);
        }
        catch (Npgsql.NpgsqlException e)
        {
            databaseError = $"database counters: {e.Message}";
        }
        return new Reading(at, cpu, brokerCounts, databaseReading, brokerError, databaseError);
    }

    /// <summary>The window's costs per arrival; the arrivals are those planned between the two readings.</summary>
    public static StepCost Compare(MeteredSystem system, Reading begin, Reading end, IEnumerable<RequestRecord> records, string window)
    {
        var arrivals = records.Count(r => r.ScheduledMs >= begin.AtMs && r.ScheduledMs <= end.AtMs);
        double? Per(double value) => arrivals == 0 ? null : value / arrivals;
        var cpu = end.Cpu.Keys.Union(begin.Cpu.Keys)
            .ToDictionary(g => g, g => Math.Max(0, end.Cpu.GetValueOrDefault(g) - begin.Cpu.GetValueOrDefault(g)));
        var counted = system.Counted.Where(cpu.ContainsKey).ToList();

        Dictionary<string, long>? messages = null;
        string? brokerNote;
        if (system.VirtualHost is null) brokerNote = $"{system.Name} uses no broker";
        else if (begin.Broker is null || end.Broker is null) brokerNote = $"not counted: {begin.BrokerError ?? end.BrokerError ?? "no management API"}";
        else
        {
            brokerNote = null;
            messages = Differences(begin.Broker, end.Broker);
        }

        Dictionary<string, double>? kinds = null;
        List<TopStatement>? top = null;
        string? databaseNote = begin.DatabaseError ?? end.DatabaseError;
        if (begin.Database?.Statements is { } before && end.Database?.Statements is { } after && arrivals > 0)
        {
            var calls = Differences(before, after);
            kinds = calls.GroupBy(c => DatabaseCounters.KindOf(c.Key))
                .ToDictionary(g => g.Key, g => (double)g.Sum(c => c.Value) / arrivals);
            top = calls.OrderByDescending(c => c.Value).Take(15)
                .Select(c => new TopStatement(Shorten(c.Key), c.Value, (double)c.Value / arrivals)).ToList();
        }
        else if (databaseNote is null && begin.Database is not null && begin.Database.Statements is null)
        {
            databaseNote = "pg_stat_statements not loaded: no statements by kind";
        }
        long? transactions = begin.Database is { } b1 && end.Database is { } e1 ? Math.Max(0, e1.Transactions - b1.Transactions) : null;
        long? writes = begin.Database is { } b2 && end.Database is { } e2 ? Math.Max(0, e2.NextTransactionId - b2.NextTransactionId) : null;

        return new StepCost
        {
            Window = window,
            Seconds = (end.AtMs - begin.AtMs) / 1000,
            Arrivals = arrivals,
            CpuSeconds = cpu.ToDictionary(c => c.Key, c => Math.Round(c.Value, 3)),
            CpuMsPerArrival = cpu.ToDictionary(c => c.Key, c => Round(Per(c.Value * 1000)) ?? 0),
            Counted = counted,
            NotFound = system.Counted.Except(counted).ToList(),
            SystemCpuMsPerArrival = Round(Per(counted.Sum(g => cpu[g]) * 1000)),
            BrokerMessages = messages,
            BrokerPerArrival = messages?.ToDictionary(m => m.Key, m => Round(Per(m.Value)) ?? 0),
            PublishesPerArrival = messages is null ? null : Round(Per(messages.Where(m => m.Key.StartsWith("exchange ", StringComparison.Ordinal)).Sum(m => m.Value))),
            DeliveriesPerArrival = messages is null ? null : Round(Per(messages.Where(m => m.Key.StartsWith("queue ", StringComparison.Ordinal)).Sum(m => m.Value))),
            BrokerNote = brokerNote,
            Transactions = transactions,
            TransactionsPerArrival = transactions is null ? null : Round(Per(transactions.Value)),
            WriteTransactions = writes,
            WriteTransactionsPerArrival = writes is null ? null : Round(Per(writes.Value)),
            StatementsPerArrival = kinds?.ToDictionary(k => k.Key, k => Math.Round(k.Value, 3)),
            StatementsTotalPerArrival = kinds is null ? null : Math.Round(kinds.Values.Sum(), 3),
            TopStatements = top,
            DatabaseNote = databaseNote,
        };
    }

    /// <summary>Counters that grew in the window (a counter that vanished or was reset counts as nothing).</summary>
    static Dictionary<string, long> Differences(Dictionary<string, long> before, Dictionary<string, long> after) =>
        after.Select(a => (a.Key, Value: a.Value - before.GetValueOrDefault(a.Key)))
            .Where(d => d.Value > 0)
            .ToDictionary(d => d.Key, d => d.Value);

    async Task<(Dictionary<string, long>?, string?)> ReadBrokerAsync(MeteredSystem system, CancellationToken ct)
    {
        if (broker is null || system.VirtualHost is null) return (null, null);
        try
        {
            return (await broker.ReadAsync(system.VirtualHost, ct), null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return (null, $"management API: {e.Message}");
        }
    }

    static async Task DelayUntilAsync(RunClock clock, double atMs, CancellationToken ct)
    {
        var wait = atMs - clock.NowMs;
        if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait), ct);
    }

    static double? Round(double? value) => value is null ? null : Math.Round(value.Value, 3);

    static string Shorten(string query)
    {
        var oneLine = Whitespace().Replace(query, " ").Trim();
        return oneLine.Length <= 200 ? oneLine : oneLine[..200] + "…";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    public void Dispose() => broker?.Dispose();
}

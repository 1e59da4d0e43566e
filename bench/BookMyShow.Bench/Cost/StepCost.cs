namespace BookMyShow.Bench.Cost;

/// <summary>
/// A system as the meter sees it: its .NET processes by pid and role, which process groups are its own (summed
/// into its total), its database and its RabbitMQ virtual host (none for the baseline, which uses no broker).
/// </summary>
public sealed record MeteredSystem(string Name, IReadOnlyDictionary<int, string> Roles, IReadOnlyList<string> Counted, string Database, string? VirtualHost);

/// <summary>What the arrivals of one window cost: CPU per process group, broker messages and database work, per arrival.</summary>
public sealed class StepCost
{
    /// <summary>Which part of the run was measured, in words.</summary>
    public required string Window { get; init; }
    public double Seconds { get; init; }
    /// <summary>Arrivals planned inside the window: the divisor of every "per arrival".</summary>
    public int Arrivals { get; init; }

    /// <summary>CPU seconds used in the window, by process group (the system's own, the generator, RabbitMQ idling beside the baseline, other).</summary>
    public Dictionary<string, double> CpuSeconds { get; init; } = [];
    public Dictionary<string, double> CpuMsPerArrival { get; init; } = [];
    /// <summary>The groups summed into <see cref="SystemCpuMsPerArrival"/>: the system's own processes, never the generator.</summary>
    public IReadOnlyList<string> Counted { get; init; } = [];
    public double? SystemCpuMsPerArrival { get; init; }
    /// <summary>The system's groups with no process found (a server not started by the bench, e.g. in a container): not in the total.</summary>
    public IReadOnlyList<string> NotFound { get; init; } = [];

    /// <summary>Messages published into each exchange ("exchange NAME") and delivered from each queue ("queue NAME") in the window.</summary>
    public Dictionary<string, long>? BrokerMessages { get; init; }
    public Dictionary<string, double>? BrokerPerArrival { get; init; }
    public double? PublishesPerArrival { get; init; }
    public double? DeliveriesPerArrival { get; init; }
    /// <summary>Why there are no broker figures (the baseline uses none; or the management API did not answer).</summary>
    public string? BrokerNote { get; init; }

    /// <summary>pg_stat_database xact_commit + xact_rollback of the system's database.</summary>
    public long? Transactions { get; init; }
    public double? TransactionsPerArrival { get; init; }
    /// <summary>Transaction ids assigned (transactions that wrote or locked rows), the whole server: only this system runs.</summary>
    public long? WriteTransactions { get; init; }
    public double? WriteTransactionsPerArrival { get; init; }
    /// <summary>pg_stat_statements calls per arrival by kind (verb and first table), the system's database.</summary>
    public Dictionary<string, double>? StatementsPerArrival { get; init; }
    public double? StatementsTotalPerArrival { get; init; }
    /// <summary>The most called statements of the window, normalized text, shortened.</summary>
    public List<TopStatement>? TopStatements { get; init; }
    public string? DatabaseNote { get; init; }
}

public sealed record TopStatement(string Query, long Calls, double PerArrival);

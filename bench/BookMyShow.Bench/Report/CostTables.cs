using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using BookMyShow.Bench.Cost;

namespace BookMyShow.Bench.Report;

/// <summary>The cost meter's figures as markdown tables: CPU per arrival by process, broker messages and database work per arrival by kind.</summary>
public static partial class CostTables
{
    /// <summary>Process groups in the order the CPU table shows them.</summary>
    static readonly string[] Groups =
        [ProcessCpu.Gateway, ProcessCpu.Worker, ProcessCpu.BaselineServer, ProcessCpu.Postgres, ProcessCpu.RabbitMq];

    /// <summary>Kinds shown one by one in the database table; the rest are summed into one row.</summary>
    const int KindRows = 20;

    public static string Render(IReadOnlyList<TargetRun> runs)
    {
        var measured = runs.Where(r => r.Cost is not null).ToList();
        if (measured.Count == 0) return "";
        var md = new StringBuilder();
        md.AppendLine("### CPU per arrival, ms").AppendLine();
        md.AppendLine($"Measured over {measured[0].Cost!.Window}. From `/proc/<pid>/stat` (utime + stime, with the time of exited children " +
                      "waited for by a process of the group). **system** sums the system's own processes — pipeline: gateway, worker, PostgreSQL " +
                      "(postmaster and all its processes), RabbitMQ (rabbitmq-server, beam.smp and all under it, epmd); baseline: its server and PostgreSQL. " +
                      "Figures in parentheses are not in the total: the load generator (the bench process itself), the broker idling beside the " +
                      "baseline, other processes the bench started. PostgreSQL serves both systems (separate databases) but they run one after " +
                      "the other, so its whole process tree counts for the one running.").AppendLine();
        md.Append("| run | arrivals | window, s |");
        foreach (var group in Groups) md.Append($" {group} |");
        md.AppendLine(" **system** | (generator) | (other) |");
        md.Append("|---|---|---|");
        foreach (var _ in Groups) md.Append("---|");
        md.AppendLine("---|---|---|");
        foreach (var run in measured)
        {
            var cost = run.Cost!;
            md.Append(Inv($"| {Name(run)} | {cost.Arrivals:N0} | {cost.Seconds:0.0} |"));
            foreach (var group in Groups)
            {
                md.Append(' ').Append(cost.CpuMsPerArrival.TryGetValue(group, out var ms) && cost.CpuSeconds.GetValueOrDefault(group) > 0
                    ? cost.Counted.Contains(group) ? Ms(ms) : $"({Ms(ms)})"
                    : "—").Append(" |");
            }
            md.Append($" **{(cost.SystemCpuMsPerArrival is { } total ? Ms(total) : "—")}** |");
            md.Append($" ({Ms(cost.CpuMsPerArrival.GetValueOrDefault(ProcessCpu.Generator))}) |");
            md.AppendLine($" ({Ms(cost.CpuMsPerArrival.GetValueOrDefault(ProcessCpu.Other))}) |");
        }
        foreach (var run in measured.Where(r => r.Cost!.NotFound.Count > 0))
        {
            md.AppendLine($"- {Name(run)}: no process of {string.Join(", ", run.Cost!.NotFound)} found among the bench's own (a server it did not start?): not in its total");
        }
        md.AppendLine();

        var broker = measured.Where(r => r.Cost!.BrokerMessages is not null).ToList();
        md.AppendLine("### Broker messages per arrival").AppendLine();
        md.AppendLine("From RabbitMQ's management API, the system's virtual host: messages published into each exchange (`publish_in`; MassTransit " +
                      "names an event's exchange after its message type, a queue's own exchange after the queue) and delivered from each queue " +
                      "(`deliver_get`). The broker emits these statistics once a second, so they are read half a second after each edge of the window; " +
                      "queues and exchanges of one family are summed (`seat-partition-*`: the partitions; `gateway-*`: the gateway instance's own queue).").AppendLine();
        foreach (var note in measured.Where(r => r.Cost!.BrokerNote is not null).Select(r => r.Cost!.BrokerNote!).Distinct()) md.AppendLine($"- {note}");
        md.AppendLine();
        if (broker.Count > 0)
        {
            var rows = new List<(string Name, Func<StepCost, string> Value)>
            {
                ("**published, all exchanges**", c => Count(c.PublishesPerArrival)),
                ("**delivered, all queues**", c => Count(c.DeliveriesPerArrival)),
            };
            var families = broker.ToDictionary(r => r.Cost!, r => Families(r.Cost!.BrokerPerArrival!));
            foreach (var prefix in new[] { "exchange ", "queue " })
            {
                rows.AddRange(Keys(families.Values, prefix).Select(k => (k, (Func<StepCost, string>)(c => Count(families[c].GetValueOrDefault(k))))));
            }
            md.Append(Table("per arrival", broker, rows));
        }

        md.AppendLine("### Database work per arrival").AppendLine();
        md.AppendLine("The system's database: transactions from `pg_stat_database` (xact_commit + xact_rollback; a backend publishes its counts at " +
                      "most once a second, and one that falls idle within that second only 10 s later, so on short windows and at low rates this " +
                      "figure runs low — read it beside the next row and the BEGIN/COMMIT/ROLLBACK statements), transactions that took a " +
                      "transaction id (they wrote or locked rows, e.g. `SELECT … FOR UPDATE`; counted exactly, on the whole server, where only " +
                      "this system runs), and statements from `pg_stat_statements` by kind (verb and first table named; `WITH …` by its first " +
                      "write; a statement sent in a batch counts once per statement).").AppendLine();
        foreach (var note in measured.Where(r => r.Cost!.DatabaseNote is not null).Select(r => r.Cost!.DatabaseNote!).Distinct()) md.AppendLine($"- {note}");
        var kinds = measured.Where(r => r.Cost!.StatementsPerArrival is not null)
            .SelectMany(r => r.Cost!.StatementsPerArrival!)
            .GroupBy(k => k.Key).OrderByDescending(g => g.Max(k => k.Value)).Select(g => g.Key).ToList();
        var shown = kinds.Take(KindRows).ToList();
        var dbRows = new List<(string Name, Func<StepCost, string> Value)>
        {
            ("**transactions** (pg_stat_database, published late)", c => Count(c.TransactionsPerArrival)),
            ("**transactions that wrote or locked rows** (ids assigned, exact)", c => Count(c.WriteTransactionsPerArrival)),
            ("**statements**", c => Count(c.StatementsTotalPerArrival)),
        };
        dbRows.AddRange(shown.Select(k => ($"`{k}`", (Func<StepCost, string>)(c => Count(c.StatementsPerArrival?.GetValueOrDefault(k))))));
        if (kinds.Count > shown.Count)
        {
            dbRows.Add(($"{kinds.Count - shown.Count} other kinds", c => Count(c.StatementsPerArrival?.Where(k => !shown.Contains(k.Key)).Sum(k => k.Value))));
        }
        md.AppendLine();
        md.Append(Table("per arrival", measured, dbRows));
        md.AppendLine("The most called statements of each window are in `figures.json` (`cost.top_statements`).").AppendLine();
        return md.ToString();
    }

    /// <summary>
    /// Per-arrival counts with the members of a family summed: names that differ only in a trailing number or id
    /// (seat-partition-00 … -15, the gateway instance's gateway-&lt;id&gt;) become one row, "seat-partition-*".
    /// </summary>
    static Dictionary<string, double> Families(Dictionary<string, double> perArrival) =>
        perArrival.GroupBy(p => FamilyMember().Replace(p.Key, "${stem}-*"))
            .ToDictionary(g => g.Key, g => Math.Round(g.Sum(p => p.Value), 3));

    [GeneratedRegex(@"^(?<stem>.+?)-(\d+|[0-9a-f]{32})$")]
    private static partial Regex FamilyMember();

    static IEnumerable<string> Keys(IEnumerable<Dictionary<string, double>> maps, string prefix) =>
        maps.SelectMany(m => m).Where(k => k.Key.StartsWith(prefix, StringComparison.Ordinal))
            .GroupBy(k => k.Key).OrderByDescending(g => g.Max(k => k.Value)).Select(g => g.Key);

    static string Table(string corner, IReadOnlyList<TargetRun> runs, IEnumerable<(string Name, Func<StepCost, string> Value)> rows)
    {
        var md = new StringBuilder();
        md.Append($"| {corner} |");
        foreach (var run in runs) md.Append($" {Name(run)} |");
        md.AppendLine().Append("|---|");
        foreach (var _ in runs) md.Append("---|");
        md.AppendLine();
        foreach (var (name, value) in rows)
        {
            md.Append($"| {name} |");
            foreach (var run in runs) md.Append($" {value(run.Cost!)} |");
            md.AppendLine();
        }
        return md.AppendLine().ToString();
    }

    static string Name(TargetRun run) => string.IsNullOrEmpty(run.Label) ? run.Target : $"{run.Target} {run.Label}";

    static string Ms(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    static string Count(double? value) => value is null or 0 ? "—" : value.Value.ToString(value.Value < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);

    static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

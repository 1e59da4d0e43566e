using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace BookMyShow.Bench.Report;

/// <summary>Writes summary.md and figures.json into the report folder (the SVGs are written by the scenarios).</summary>
public static class ReportWriter
{
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static Dictionary<string, string> Machine()
    {
        var machine = new Dictionary<string, string>
        {
            ["cores"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
            ["os"] = RuntimeInformation.OSDescription,
            [".net"] = RuntimeInformation.FrameworkDescription,
        };
        try
        {
            var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (cpu is not null) machine["cpu"] = cpu.Split(':', 2)[1].Trim();
            var mem = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal));
            if (mem is not null)
            {
                var kb = long.Parse(mem.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                machine["ram"] = $"{kb / 1024.0 / 1024.0:0.0} GiB";
            }
        }
        catch (IOException)
        {
            // Not Linux: cores, OS and runtime are enough.
        }
        return machine;
    }

    public static void Write(string directory, Dictionary<string, string> machine, Dictionary<string, string> settings, IReadOnlyList<ScenarioReport> scenarios, DateTime startedUtc, bool quick)
    {
        var figures = new { started_utc = startedUtc, machine, settings, scenarios };
        File.WriteAllText(Path.Combine(directory, "figures.json"), JsonSerializer.Serialize(figures, Json));
        File.WriteAllText(Path.Combine(directory, "summary.md"), Summary(machine, settings, scenarios, startedUtc, quick));
    }

    static string Summary(Dictionary<string, string> machine, Dictionary<string, string> settings, IReadOnlyList<ScenarioReport> scenarios, DateTime startedUtc, bool quick)
    {
        var md = new StringBuilder();
        md.AppendLine(Inv($"# BookMyShow benchmark — {startedUtc:yyyy-MM-dd HH:mm} UTC")).AppendLine();
        md.AppendLine("Pipeline: the product's gateway and worker processes on RabbitMQ and PostgreSQL (queue-based admission, one consumer per partition). " +
                      "Baseline: the design document's direct approach — one HTTP endpoint, one PostgreSQL transaction per hold, seats locked with `SELECT … FOR UPDATE` in sorted order " +
                      "(bench/BookMyShow.Bench/Baseline). Both run on the same machine, one after the other, against the same PostgreSQL server (separate databases, same catalog), " +
                      "driven by the same load generator. Latencies count from each user's planned arrival time.").AppendLine();
        md.AppendLine("## Machine and settings").AppendLine();
        md.AppendLine("| | |").AppendLine("|---|---|");
        foreach (var (key, value) in machine.Concat(settings)) md.AppendLine($"| {key} | {value} |");
        md.AppendLine("| PostgreSQL | local test server (tests/TestInfrastructure): fsync=off, max_connections=300 — commits are cheaper than on a durable server, for both systems |");
        md.AppendLine();

        md.AppendLine("## Targets").AppendLine();
        md.AppendLine(quick
            ? "Issue 15's targets. **Quick mode: timings not judged** — its numbers are too small to say anything about speed; it checks the invariants (and the order inversions, which are not a timing)."
            : "Issue 15's targets, each as measured in this run, pipeline against the baseline where both ran.").AppendLine();
        md.AppendLine("| scenario | target | measured | met |").AppendLine("|---|---|---|---|");
        foreach (var scenario in scenarios)
        {
            foreach (var target in scenario.Targets) md.AppendLine($"| {scenario.Title} | {target.Target} | {target.Measured} | {Met(target.Met)} |");
            if (scenario.Failure is not null) md.AppendLine($"| {scenario.Title} | (scenario failed) | {scenario.Failure.Split('\n')[0]} | no |");
        }
        md.AppendLine();

        foreach (var scenario in scenarios)
        {
            md.AppendLine($"## {scenario.Title}").AppendLine();
            if (scenario.Failure is not null) md.AppendLine("**The scenario failed:**").AppendLine().AppendLine("```").AppendLine(scenario.Failure).AppendLine("```").AppendLine();
            foreach (var (key, value) in scenario.Settings) md.AppendLine($"- {key}: {value}");
            md.AppendLine(Inv($"- scenario time: {scenario.DurationSeconds:0} s"));
            if (scenario.StealPercent is { } steal) md.AppendLine(Inv($"- CPU time taken by the host for other guests (steal, /proc/stat): {steal:0} %"));
            md.AppendLine();
            if (scenario.Runs.Count > 0) md.Append(RunTable(scenario.Runs)).AppendLine();
            md.Append(CostTables.Render(scenario.Runs));
            if (scenario.Extra.Count > 0)
            {
                foreach (var (key, value) in scenario.Extra) md.AppendLine($"- {key}: {(value is LatencySummary s ? Inv($"p50 {s.P50:0} ms, p95 {s.P95:0} ms, p99 {s.P99:0} ms, max {s.Max:0} ms") : Convert.ToString(value, CultureInfo.InvariantCulture))}");
                md.AppendLine();
            }
            if (scenario.Invariants.Count > 0)
            {
                md.AppendLine("Invariants:").AppendLine();
                foreach (var check in scenario.Invariants) md.AppendLine($"- {(check.Passed ? "✅" : "❌")} {check.Name} — {check.Detail}");
                md.AppendLine();
            }
            foreach (var note in scenario.Notes) md.AppendLine($"> {note}").AppendLine();
            foreach (var plot in scenario.Plots) md.AppendLine($"![{plot}]({plot})").AppendLine();
        }
        return md.ToString();
    }

    static string RunTable(IReadOnlyList<TargetRun> runs)
    {
        static string L(LatencySummary? s, Func<LatencySummary, double> f) => s is null ? "—" : f(s).ToString("0", CultureInfo.InvariantCulture);
        static string S(double? ms) => ms is null ? "—" : (ms.Value / 1000).ToString("0.00", CultureInfo.InvariantCulture);
        var rows = new (string Name, Func<TargetRun, string> Value)[]
        {
            ("requests", r => r.Requests.ToString("N0", CultureInfo.InvariantCulture)),
            ("admitted (202)", r => r.Target == "baseline" ? "—" : r.Admitted.ToString("N0", CultureInfo.InvariantCulture)),
            ("holds granted", r => r.Held.ToString("N0", CultureInfo.InvariantCulture)),
            ("rejected", r => r.Rejected.ToString("N0", CultureInfo.InvariantCulture)),
            ("seats held", r => r.SeatsHeld.ToString("N0", CultureInfo.InvariantCulture)),
            ("errors / undecided", r => Inv($"{r.Errors} / {r.Undecided}") + (r.ErrorKinds.Count > 0 ? " (" + string.Join("; ", r.ErrorKinds.Select(k => $"{k.Key}: {k.Value}")) + ")" : "")),
            ("arrival window, s", r => S(r.ArrivalWindowMs)),
            ("first arrival → last decision, s", r => S(r.FirstArrivalToLastDecisionMs)),
            ("last arrival → last decision, s", r => S(r.LastArrivalToLastDecisionMs)),
            ("decisions/s (first arrival → last decision)", r => r.DecisionsPerSecond.ToString("0", CultureInfo.InvariantCulture)),
            ("admission p50 / p95 / p99 / max, ms", r => r.Admission is null ? "—" : $"{L(r.Admission, s => s.P50)} / {L(r.Admission, s => s.P95)} / {L(r.Admission, s => s.P99)} / {L(r.Admission, s => s.Max)}"),
            ("decision p50 / p95 / p99 / max, ms", r => r.Decision is null ? "—" : $"{L(r.Decision, s => s.P50)} / {L(r.Decision, s => s.P95)} / {L(r.Decision, s => s.P99)} / {L(r.Decision, s => s.Max)}"),
            ("payments tried / confirmed", r => Inv($"{r.PaymentsTried} / {r.PaymentsConfirmed}")),
            ("payment p50 / p99, ms", r => r.Payment is null ? "—" : $"{L(r.Payment, s => s.P50)} / {L(r.Payment, s => s.P99)}"),
            ("generator lag p99 / max, ms", r => r.GeneratorLag is null ? "—" : $"{L(r.GeneratorLag, s => s.P99)} / {L(r.GeneratorLag, s => s.Max)}"),
        }.ToList();
        if (runs.Any(r => r.Cost?.SystemCpuMsPerArrival is not null))
        {
            rows.Add(("CPU per arrival, ms (system's processes; table below)", r => r.Cost?.SystemCpuMsPerArrival is { } ms ? ms.ToString("0.00", CultureInfo.InvariantCulture) : "—"));
        }
        // Order inversions: seats granted to a later arrival that an earlier arrival, refused although all its seats
        // were free at its turn, had asked for (Scenarios/OrderInversions).
        foreach (var order in runs.SelectMany(r => r.Inversions ?? []).Select(i => i.Order).Distinct().ToList())
        {
            rows.Add(($"order inversions in {order}: seats (requests wronged)", r => r.Inversions?.FirstOrDefault(i => i.Order == order) is { } i
                ? Inv($"{i.Seats} ({i.WrongedRequests})") : "—"));
        }
        var md = new StringBuilder();
        md.Append("| |");
        foreach (var run in runs) md.Append($" {run.Target}{(string.IsNullOrEmpty(run.Label) ? "" : " " + run.Label)} |");
        md.AppendLine().Append("|---|");
        foreach (var _ in runs) md.Append("---|");
        md.AppendLine();
        foreach (var (name, value) in rows)
        {
            md.Append($"| {name} |");
            foreach (var run in runs) md.Append($" {value(run)} |");
            md.AppendLine();
        }
        return md.ToString();
    }

    static string Met(bool? met) => met switch { true => "✅ yes", false => "❌ no", null => "—" };

    static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

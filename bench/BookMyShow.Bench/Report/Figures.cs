using System.Text.Json.Serialization;
using BookMyShow.Bench.Load;

namespace BookMyShow.Bench.Report;

/// <summary>Percentiles of a set of latencies, in milliseconds.</summary>
public sealed record LatencySummary(int Count, double P50, double P95, double P99, double Max, double Mean)
{
    public static LatencySummary? Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return null;
        return new LatencySummary(sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.95), Percentile(sorted, 0.99), sorted[^1], sorted.Average());
    }

    /// <summary>Nearest rank.</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>One pass of one target (pipeline or baseline) through a scenario, or a part of it.</summary>
public sealed class TargetRun
{
    public required string Target { get; init; }
    public string Label { get; init; } = "";
    public int Requests { get; set; }
    public int Admitted { get; set; }
    public int Held { get; set; }
    public int Rejected { get; set; }
    public int Errors { get; set; }
    public int Undecided { get; set; }
    public int SeatsHeld { get; set; }
    public int PaymentsTried { get; set; }
    public int PaymentsConfirmed { get; set; }
    /// <summary>First planned arrival to the last decision seen by a user.</summary>
    public double? FirstArrivalToLastDecisionMs { get; set; }
    /// <summary>Last planned arrival to the last decision seen by a user.</summary>
    public double? LastArrivalToLastDecisionMs { get; set; }
    public double ArrivalWindowMs { get; set; }
    /// <summary>Decisions per second over the first arrival → last decision span.</summary>
    public double DecisionsPerSecond { get; set; }
    public LatencySummary? Admission { get; set; }
    public LatencySummary? Decision { get; set; }
    public LatencySummary? Payment { get; set; }
    /// <summary>How late the generator sent requests behind their planned time (its own health).</summary>
    public LatencySummary? GeneratorLag { get; set; }
    public Dictionary<string, int> ErrorKinds { get; set; } = [];
    /// <summary>Pipeline only: the same requests seen from the database (admitted_at, decided_at).</summary>
    public ServerSideTimes? Server { get; set; }
    /// <summary>Sustained steps: the offered rate, arrivals per second.</summary>
    public int? OfferedRate { get; set; }
    /// <summary>Sustained steps: the second try of a step that failed once.</summary>
    public bool Retry { get; set; }
    /// <summary>What the run's arrivals cost the system: CPU per process, broker messages, database work (Cost/).</summary>
    public Cost.StepCost? Cost { get; set; }
    /// <summary>Hot show: seats granted out of arrival order (Scenarios/OrderInversions).</summary>
    public List<Scenarios.OrderInversions>? Inversions { get; set; }

    [JsonIgnore]
    public IReadOnlyList<RequestRecord> Records { get; set; } = [];

    public static TargetRun Of(string target, IReadOnlyList<RequestRecord> records, string label = "")
    {
        var run = new TargetRun { Target = target, Label = label, Records = records };
        run.Requests = records.Count;
        run.Admitted = records.Count(r => r.AdmittedMs is not null);
        run.Held = records.Count(r => r.Outcome == Outcome.Held);
        run.Rejected = records.Count(r => r.Outcome == Outcome.Rejected);
        run.Errors = records.Count(r => r.Outcome == Outcome.Error);
        run.Undecided = records.Count(r => r.Outcome == Outcome.Undecided);
        run.SeatsHeld = records.Where(r => r.Outcome == Outcome.Held).Sum(r => r.Seats.Count);
        run.PaymentsTried = records.Count(r => r.PayStatus is not null);
        run.PaymentsConfirmed = records.Count(r => r.PayStatus == 200);
        if (records.Count > 0)
        {
            var first = records.Min(r => r.ScheduledMs);
            var last = records.Max(r => r.ScheduledMs);
            run.ArrivalWindowMs = last - first;
            var decided = records.Where(r => r.DecidedMs is not null).ToList();
            if (decided.Count > 0)
            {
                var lastDecision = decided.Max(r => r.DecidedMs!.Value);
                run.FirstArrivalToLastDecisionMs = lastDecision - first;
                run.LastArrivalToLastDecisionMs = lastDecision - last;
                run.DecisionsPerSecond = decided.Count / Math.Max(0.001, (lastDecision - first) / 1000);
            }
        }
        run.Admission = LatencySummary.Of(records.Where(r => r.AdmissionLatencyMs is not null).Select(r => r.AdmissionLatencyMs!.Value));
        run.Decision = LatencySummary.Of(records.Where(r => r.DecisionLatencyMs is not null).Select(r => r.DecisionLatencyMs!.Value));
        run.Payment = LatencySummary.Of(records.Where(r => r.PaidMs is not null).Select(r => r.PaidMs!.Value));
        run.GeneratorLag = LatencySummary.Of(records.Select(r => r.SentMs - r.ScheduledMs));
        run.ErrorKinds = records.Where(r => r.Error is not null)
            .GroupBy(r => Kind(r.Error!)).ToDictionary(g => g.Key, g => g.Count());
        return run;
    }

    static string Kind(string error)
    {
        var colon = error.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? error[..colon] : error;
    }
}

/// <summary>Where the pipeline's time goes, from the database's own timestamps of each request.</summary>
public sealed class ServerSideTimes
{
    /// <summary>POST sent (planned arrival) → admitted_at written by the gateway.</summary>
    public LatencySummary? ArrivalToAdmitted { get; set; }
    /// <summary>admitted_at → 202 received: the insert, the position count and the broker's confirm, and the way back.</summary>
    public LatencySummary? AdmittedToAccepted { get; set; }
    /// <summary>admitted_at → decided_at: waiting in the partition queue and the decision itself.</summary>
    public LatencySummary? AdmittedToDecided { get; set; }
    /// <summary>decided_at → the user's SSE/poll saw it: outbox, broker, the gateway's fan-out, the stream.</summary>
    public LatencySummary? DecidedToSeen { get; set; }
    /// <summary>First admitted_at → last decided_at.</summary>
    public double DecisionSpanMs { get; set; }
    /// <summary>Decisions per second over the busiest second, from decided_at.</summary>
    public int PeakDecisionsPerSecond { get; set; }
}

public sealed record Check(string Name, bool Passed, string Detail);

public sealed record TargetCheck(string Target, string Measured, bool? Met);

/// <summary>Everything one scenario produced, for figures.json and summary.md.</summary>
public sealed class ScenarioReport
{
    public required string Name { get; init; }
    public required string Title { get; init; }
    public Dictionary<string, string> Settings { get; init; } = [];
    public List<TargetRun> Runs { get; init; } = [];
    public List<Check> Invariants { get; init; } = [];
    public List<TargetCheck> Targets { get; init; } = [];
    public List<string> Notes { get; init; } = [];
    public Dictionary<string, object> Extra { get; init; } = [];
    public List<string> Plots { get; init; } = [];
    public double DurationSeconds { get; set; }
    /// <summary>Percent of the machine's CPU time taken by the hypervisor for other guests during the scenario.</summary>
    public double? StealPercent { get; set; }
    public string? Failure { get; set; }
}

using System.Diagnostics;

namespace BookMyShow.Bench.Load;

public enum Outcome
{
    Pending,
    Held,
    Rejected,
    /// <summary>No answer that counts: an exception, or a status other than 201/202/409.</summary>
    Error,
    /// <summary>Admitted (202) but no final answer before the run's deadline.</summary>
    Undecided,
}

/// <summary>What one virtual user's hold request did, in milliseconds since the run's start.</summary>
public sealed class RequestRecord
{
    public required int Index { get; init; }
    public required string ShowId { get; init; }
    public required string UserId { get; init; }
    public required IReadOnlyList<string> Seats { get; init; }
    /// <summary>A label for a part of the run (a sustained step, the expiry storm's own holds or the others).</summary>
    public string Group { get; init; } = "";
    /// <summary>When the user arrived (planned): latencies are counted from here, so a late generator cannot hide a slow system.</summary>
    public required double ScheduledMs { get; init; }
    public double SentMs { get; set; }
    /// <summary>Pipeline: the 202. The baseline answers the decision directly and has none.</summary>
    public double? AdmittedMs { get; set; }
    public double? DecidedMs { get; set; }
    public DateTime? DecidedUtc { get; set; }
    public Outcome Outcome { get; set; }
    public int HttpStatus { get; set; }
    public string? Error { get; set; }
    /// <summary>The user stopped waiting at the run's deadline: a timing, not a lost request (the database check says whether it was decided).</summary>
    public bool GaveUp { get; set; }
    public string? RequestId { get; set; }
    public string? HoldId { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public double? PaidMs { get; set; }
    public int? PayStatus { get; set; }

    public void MarkDecided(RunClock clock)
    {
        DecidedMs = clock.NowMs;
        DecidedUtc = DateTime.UtcNow;
    }

    public double? AdmissionLatencyMs => AdmittedMs - ScheduledMs;
    public double? DecisionLatencyMs => DecidedMs - ScheduledMs;
}

/// <summary>The run's clock: milliseconds since its start, and the wall-clock time of that start (to line up with database timestamps).</summary>
public sealed class RunClock
{
    readonly Stopwatch _watch = Stopwatch.StartNew();

    public DateTime StartUtc { get; } = DateTime.UtcNow;

    public double NowMs => _watch.Elapsed.TotalMilliseconds;

    public double MsOf(DateTime utc) => (utc - StartUtc).TotalMilliseconds;
}

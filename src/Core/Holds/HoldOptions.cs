using System.ComponentModel.DataAnnotations;

namespace BookMyShow.Core.Holds;

/// <summary>Configuration section "Holds".</summary>
public sealed class HoldOptions
{
    public const string Section = "Holds";

    /// <summary>How long a granted hold lasts.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Ttl { get; set; } = TimeSpan.FromMinutes(10);

    [Range(1, 100)]
    public int MaxSeatsPerHold { get; set; } = 10;

    /// <summary>
    /// Most seats one user may hold or have booked for one show, across all their holds and bookings, unless the show
    /// sets its own (<c>max_seats_per_user</c> in the catalog). The partition decides it, so it holds whatever the
    /// concurrency; a request over it is rejected SEAT_LIMIT_REACHED.
    /// </summary>
    [Range(1, 10000)]
    public int MaxSeatsPerUserPerShow { get; set; } = 10;

    /// <summary>
    /// The partition's clock (ADR 0022): how long at most a partition lets due holds wait before it ends them, and
    /// sends due warnings, from memory. Holds coming due within one interval end together, in one write.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan ClockInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How often each worker's backstop clock reads the database for holds the partitions should have ended or
    /// warned by now (<see cref="BackstopAfter"/> overdue) — holds whose partition changed hands and has not heard
    /// of them yet — and asks their partitions (ADR 0014, 0022).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan BackstopInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How far past due a hold must be before the backstop clock asks about it (the partition's own clock is on time).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan BackstopAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the cluster-wide backstop sweep (a Quartz job) looks for holds past their expiry.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When a worker's first sweep runs after it starts: soon, so that holds which lapsed while no worker ran are
    /// expired at once, and so that Quartz's firing path is compiled while the worker starts rather than in the middle
    /// of traffic (no tiered compilation, ADR 0012: the first firing compiles it fully, which took a second of CPU).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan FirstSweepAfter { get; set; } = TimeSpan.FromSeconds(2);

    [Range(1, 100000)]
    public int SweepBatchSize { get; set; } = 1000;

    /// <summary>
    /// How long a hold request may stay QUEUED before the backstop sweep hands it to its partition again. A gateway
    /// that dies between recording a request and the broker's confirm leaves it QUEUED with no message on its way
    /// (a retry with the same Idempotency-Key would be answered 202 for it). The partition decides a request once and
    /// ignores later copies, so a request that was only waiting behind a backlog costs one extra message per sweep.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan StrandedRequestAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Decisions per second assumed for a show before any were measured (for wait estimates).</summary>
    [Range(1, 1000000)]
    public double AssumedDecisionsPerSecond { get; set; } = 200;
}

using System.ComponentModel.DataAnnotations;

namespace BookMyShow.Workers.Scheduling;

/// <summary>Configuration section "Scheduler": the Quartz scheduler that delivers scheduled messages and runs the sweep.</summary>
public sealed class SchedulerOptions : IValidatableObject
{
    public const string Section = "Scheduler";

    /// <summary>
    /// Keep jobs and triggers in PostgreSQL (ConnectionStrings:Postgres), so they survive restarts and are shared by
    /// every worker. Unset: on when Database:Provider is Postgres.
    /// </summary>
    public bool? UsePersistentStore { get; set; }

    /// <summary>The scheduler's name in the job store: every worker of one cluster must use the same.</summary>
    [Required]
    [RegularExpression(@"^[A-Za-z0-9_.\-]{1,100}$", ErrorMessage = "Scheduler:InstanceName must be 1-100 letters, digits, '_', '.' or '-'.")]
    public string InstanceName { get; set; } = "bookmyshow";

    /// <summary>
    /// How long the scheduler waits when nothing is due, which is also how late it may notice a trigger that another
    /// worker stored (one it stored itself wakes it at once). Quartz 4 refuses less than a second.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan IdleWaitTime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most triggers taken and fired in one round; at most <see cref="ThreadCount"/> (Quartz refuses more).</summary>
    [Range(1, 200)]
    public int BatchSize { get; set; } = 32;

    /// <summary>Jobs running at once: each scheduled message is one short job (a send with a broker confirm).</summary>
    [Range(1, 200)]
    public int ThreadCount { get; set; } = 32;

    /// <summary>Several workers share the persistent store, each trigger fired by one of them (only with the persistent store).</summary>
    public bool Clustered { get; set; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BatchSize > ThreadCount)
        {
            yield return new ValidationResult($"Scheduler:BatchSize ({BatchSize}) must not exceed Scheduler:ThreadCount ({ThreadCount}).", [nameof(BatchSize)]);
        }
    }
}

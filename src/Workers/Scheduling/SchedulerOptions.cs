using System.ComponentModel.DataAnnotations;

namespace BookMyShow.Workers.Scheduling;

/// <summary>Configuration section "Scheduler": the Quartz scheduler that runs the workers' periodic jobs (ADR 25).</summary>
public sealed class SchedulerOptions
{
    public const string Section = "Scheduler";

    /// <summary>
    /// Keep jobs and triggers in PostgreSQL (ConnectionStrings:Postgres), so that with several workers each run of a
    /// job happens on one of them. Unset: on when Database:Provider is Postgres.
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

    /// <summary>Several workers share the persistent store, each run of a job on one of them (only with the persistent store).</summary>
    public bool Clustered { get; set; } = true;

    /// <summary>
    /// How often a clustered worker records that it is alive. With <see cref="CheckinMisfireThreshold"/> it bounds how
    /// long a job that a killed worker was running stays blocked for the others (the jobs do not run concurrently):
    /// about interval + threshold (Quartz's defaults, 7.5 s each, made that 15 s and more).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:01:00")]
    public TimeSpan CheckinInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How late a worker's check-in may be before the others treat it as dead and recover its job runs.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan CheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(5);
}

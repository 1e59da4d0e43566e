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
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// Scheduled-message jobs running at once, including those fired ahead and waiting for their moment: how many
    /// messages due within <see cref="FireAhead"/> of each other are sent precisely. They are tasks, not threads.
    /// </summary>
    [Range(1, 10000)]
    public int ThreadCount { get; set; } = 1000;

    /// <summary>
    /// How long before its time a scheduled message's trigger fires; the job then waits and sends at the time.
    /// Quartz's work per trigger (a few statements and transactions) is then done before the moment, so a burst of
    /// messages due together goes out on time instead of at the store's firing rate. Zero fires at the time.
    /// The cost: a message its worker holds when that worker is killed goes out when another worker recovers the
    /// firing (see <see cref="CheckinInterval"/>), not at its time; a stopping worker hands its held messages back.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan FireAhead { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a job that has sent its message waits before Quartz completes its firing (deletes the trigger). A
    /// burst of messages due together is then sent before the database work of completing them starts; measured on
    /// two busy cores, p99 lateness of 1,000 messages due at once went from 0.7-1.1 s to 0.3-0.5 s. The price: a worker
    /// that dies in that window has the firing recovered elsewhere, which sends the message a second time (same
    /// MessageId). Zero completes at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan CompletionDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Several workers share the persistent store, each trigger fired by one of them (only with the persistent store).</summary>
    public bool Clustered { get; set; } = true;

    /// <summary>
    /// How often a clustered worker records that it is alive. With <see cref="CheckinMisfireThreshold"/> it bounds how
    /// long the messages a killed worker had fired (and was holding until their time) wait before another worker
    /// recovers and sends them: about interval + threshold (Quartz's defaults, 7.5 s each, made that 15 s and more).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:01:00")]
    public TimeSpan CheckinInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How late a worker's check-in may be before the others treat it as dead and recover its firings.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan CheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BatchSize > ThreadCount)
        {
            yield return new ValidationResult($"Scheduler:BatchSize ({BatchSize}) must not exceed Scheduler:ThreadCount ({ThreadCount}).", [nameof(BatchSize)]);
        }
    }
}

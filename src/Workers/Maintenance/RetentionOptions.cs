using System.ComponentModel.DataAnnotations;

namespace BookMyShow.Workers.Maintenance;

/// <summary>Configuration section "Retention": how long bookkeeping rows are kept, and how often they are cleaned up.</summary>
public sealed class RetentionOptions : IValidatableObject
{
    public const string Section = "Retention";

    /// <summary>Inbox rows: a redelivery later than this would be handled again. Brokers redeliver within minutes.</summary>
    public TimeSpan Inbox { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Stored confirm answers: an Idempotency-Key replayed later gets a fresh attempt. At least 24 h.</summary>
    public TimeSpan ConfirmAnswers { get; set; } = TimeSpan.FromDays(2);

    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    [Range(100, 1_000_000)]
    public int BatchSize { get; set; } = 10_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Inbox < TimeSpan.FromHours(1)) yield return new ValidationResult("Retention:Inbox must be at least 1 hour.", [nameof(Inbox)]);
        if (ConfirmAnswers < TimeSpan.FromHours(24)) yield return new ValidationResult("Retention:ConfirmAnswers must be at least 24 hours (idempotency keys are honoured for a day).", [nameof(ConfirmAnswers)]);
        if (Interval < TimeSpan.FromSeconds(1)) yield return new ValidationResult("Retention:Interval must be at least 1 second.", [nameof(Interval)]);
    }
}

using System.ComponentModel.DataAnnotations;

namespace BookMyShow.Workers.Notifications;

/// <summary>Configuration section "Notifications" (the mail server itself is "Notifications:Mail").</summary>
public sealed class NotificationOptions : IValidatableObject
{
    public const string Section = "Notifications";

    /// <summary>Attempts after the first before an e-mail goes to the <c>notifications-email_error</c> queue.</summary>
    [Range(0, 50)]
    public int EmailRetryLimit { get; set; } = 8;

    /// <summary>First wait between attempts; it doubles up to <see cref="EmailRetryMaxInterval"/>.</summary>
    public TimeSpan EmailRetryMinInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan EmailRetryMaxInterval { get; set; } = TimeSpan.FromMinutes(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (EmailRetryMinInterval <= TimeSpan.Zero) yield return new ValidationResult("Notifications:EmailRetryMinInterval must be positive.", [nameof(EmailRetryMinInterval)]);
        if (EmailRetryMaxInterval < EmailRetryMinInterval) yield return new ValidationResult("Notifications:EmailRetryMaxInterval must not be below EmailRetryMinInterval.", [nameof(EmailRetryMaxInterval)]);
    }
}

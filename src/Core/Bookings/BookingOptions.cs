using System.ComponentModel.DataAnnotations;

namespace BookMyShow.Core.Bookings;

/// <summary>Configuration section "Bookings".</summary>
public sealed class BookingOptions
{
    public const string Section = "Bookings";

    /// <summary>How long past expiry a hold is kept while its payment is in flight.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:30:00")]
    public TimeSpan PaymentGrace { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long before expiry the hold-expiring warning fires.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ExpiringWarningBefore { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long POST /v1/bookings/confirm waits for the outcome before answering 202.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:02:00")]
    public TimeSpan ConfirmWait { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long after a successful charge the booking may still be written (e.g. while the database is down). Past
    /// it the partition refuses and the payment is refunded.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ConfirmDeadline { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Queue of the payment worker.</summary>
    public string PaymentsQueue { get; set; } = "payments";
}

/// <summary>Reasons besides a hold status for which the partition refuses to confirm seats.</summary>
public static class SeatsRefusal
{
    public const string DeadlinePassed = "CONFIRM_DEADLINE_PASSED";
}

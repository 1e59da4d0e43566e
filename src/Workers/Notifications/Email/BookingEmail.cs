namespace BookMyShow.Workers.Notifications.Email;

public enum BookingEmailKind
{
    Confirmed,
    HoldExpiring,
    Expired,
    Refunded,
}

/// <summary>Everything a booking e-mail shows; <see cref="BookingEmailComposer"/> turns it into a message.</summary>
public sealed record BookingEmail
{
    public required BookingEmailKind Kind { get; init; }

    /// <summary>Recipient address, e.g. "asha@example.com" or "Asha &lt;asha@example.com&gt;".</summary>
    public required string To { get; init; }

    public required string UserId { get; init; }
    public required string HoldId { get; init; }
    public string? BookingId { get; init; }

    /// <summary>Movie or event title.</summary>
    public required string ShowTitle { get; init; }

    public required string VenueName { get; init; }
    public required string ScreenName { get; init; }
    public string? City { get; init; }

    /// <summary>Show time in the venue's offset; it is printed as given.</summary>
    public required DateTimeOffset StartsAt { get; init; }

    /// <summary>Seat labels as printed on the ticket, e.g. "A1", "A2".</summary>
    public required IReadOnlyList<string> SeatLabels { get; init; }

    public required decimal Amount { get; init; }

    /// <summary>ISO 4217 code, e.g. "INR".</summary>
    public required string Currency { get; init; }

    /// <summary>When the hold ends; required for <see cref="BookingEmailKind.HoldExpiring"/>.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Required for <see cref="BookingEmailKind.Refunded"/>.</summary>
    public string? RefundId { get; init; }

    /// <summary>When the event behind the e-mail happened; used as the message's Date so a resend is identical.</summary>
    public required DateTimeOffset OccurredAt { get; init; }
}

using System.Globalization;
using System.Net;
using System.Text;
using MimeKit;

namespace BookMyShow.Workers.Notifications.Email;

/// <summary>Builds the text + HTML message for a <see cref="BookingEmail"/>.</summary>
public sealed class BookingEmailComposer
{
    public const string MessageIdDomain = "bookmyshow.local";

    // RFC 5322 atext: what a Message-Id's left part may contain besides letters, digits and inner dots.
    const string KeySymbols = "!#$%&'*+-/=?^_`{|}~";

    /// <summary>
    /// The message for <paramref name="email"/>, with Message-Id &lt;<paramref name="messageKey"/>@bookmyshow.local&gt;:
    /// the same key for the same notification lets a resend be recognised as one message.
    /// </summary>
    /// <exception cref="ArgumentException">The recipient is not an address, the key cannot be a Message-Id, or the kind lacks its field.</exception>
    public MimeMessage Compose(BookingEmail email, MailOptions options, string messageKey)
    {
        ArgumentNullException.ThrowIfNull(email);
        ArgumentNullException.ThrowIfNull(options);
        if (!IsValidKey(messageKey))
        {
            throw new ArgumentException($"'{messageKey}' cannot be used in a Message-Id: use letters, digits, inner dots and {KeySymbols}.", nameof(messageKey));
        }
        if (!MailboxAddress.TryParse(email.To, out var to) || !to.Address.Contains('@', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{email.To}' is not an e-mail address.", nameof(email));
        }
        if (email.Kind == BookingEmailKind.Refunded && string.IsNullOrWhiteSpace(email.RefundId))
        {
            throw Missing(email, nameof(email.RefundId));
        }

        var show = $"{email.ShowTitle}, {Time(email.StartsAt)}";
        var amount = $"{email.Currency.ToUpperInvariant()} {email.Amount.ToString("N2", CultureInfo.InvariantCulture)}";
        var (subject, intro) = email.Kind switch
        {
            BookingEmailKind.Confirmed => ($"Booking confirmed: {show}", "Your booking is confirmed. Enjoy the show!"),
            BookingEmailKind.HoldExpiring => ($"Complete your booking: {show}",
                $"Your seats are held until {Time(email.ExpiresAt ?? throw Missing(email, nameof(email.ExpiresAt)))}. "
                + "Complete the payment before then, or the seats are released."),
            BookingEmailKind.Expired => ($"Hold expired: {show}", "Your hold expired before the payment was completed, so the seats were released."),
            BookingEmailKind.Refunded => ($"Refund issued: {show}", $"We have refunded {amount} for the seats below."),
            _ => throw new ArgumentException($"Unknown e-mail kind {email.Kind}.", nameof(email)),
        };

        var rows = new List<(string Label, string Value)>
        {
            ("Show", email.ShowTitle),
            ("Venue", string.Join(", ", new[] { email.VenueName, email.ScreenName, email.City }.Where(s => !string.IsNullOrWhiteSpace(s)))),
            ("When", Time(email.StartsAt)),
            ("Seats", string.Join(", ", email.SeatLabels)),
            ("Amount", amount),
        };
        if (email.BookingId is not null)
        {
            rows.Add(("Booking id", email.BookingId));
        }
        rows.Add(("Hold id", email.HoldId));
        if (email.ExpiresAt is { } expiresAt && email.Kind is BookingEmailKind.HoldExpiring or BookingEmailKind.Expired)
        {
            rows.Add((email.Kind == BookingEmailKind.Expired ? "Hold expired" : "Hold expires", Time(expiresAt)));
        }
        if (email.RefundId is not null)
        {
            rows.Add(("Refund id", email.RefundId));
        }

        var message = new MimeMessage
        {
            Subject = subject,
            Date = email.OccurredAt,
            MessageId = $"{messageKey}@{MessageIdDomain}",
        };
        message.From.Add(MailboxAddress.Parse(options.From));
        message.To.Add(to);
        // RFC 3834: tells auto-responders (out-of-office) not to answer.
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Body = new BodyBuilder { TextBody = Text(intro, rows), HtmlBody = Html(subject, intro, rows) }.ToMessageBody();
        return message;
    }

    /// <summary>"Fri 27 Nov 2026, 19:30 UTC" or "…, 19:30 UTC+05:30": the time in its own offset, not the server's.</summary>
    public static string Time(DateTimeOffset time)
    {
        var offset = time.Offset;
        var zone = offset == TimeSpan.Zero
            ? "UTC"
            : "UTC" + (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);
        return time.ToString("ddd d MMM yyyy, HH:mm", CultureInfo.InvariantCulture) + " " + zone;
    }

    static ArgumentException Missing(BookingEmail email, string field) => new($"A {email.Kind} e-mail needs {field}.", nameof(email));

    static bool IsValidKey(string? key) =>
        !string.IsNullOrEmpty(key)
        && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '.' || KeySymbols.Contains(c, StringComparison.Ordinal))
        && !key.StartsWith('.') && !key.EndsWith('.') && !key.Contains("..", StringComparison.Ordinal);

    static string Text(string intro, List<(string Label, string Value)> rows)
    {
        var width = rows.Max(r => r.Label.Length) + 2;
        var text = new StringBuilder().Append(intro).Append("\n\n");
        foreach (var (label, value) in rows)
        {
            text.Append((label + ":").PadRight(width)).Append(value).Append('\n');
        }
        return text.Append("\nBookMyShow\n").ToString();
    }

    static string Html(string subject, string intro, List<(string Label, string Value)> rows)
    {
        var html = new StringBuilder()
            .Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").Append(WebUtility.HtmlEncode(subject)).Append("</title></head>\n")
            .Append("<body style=\"font-family:sans-serif\">\n<p>").Append(WebUtility.HtmlEncode(intro)).Append("</p>\n<table>\n");
        foreach (var (label, value) in rows)
        {
            html.Append("<tr><th align=\"left\">").Append(WebUtility.HtmlEncode(label)).Append("</th><td>")
                .Append(WebUtility.HtmlEncode(value)).Append("</td></tr>\n");
        }
        return html.Append("</table>\n<p>BookMyShow</p>\n</body></html>\n").ToString();
    }
}

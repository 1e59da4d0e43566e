using BookMyShow.Workers.Notifications.Email;

namespace BookMyShow.Workers.Tests.Notifications;

static class SampleEmails
{
    public static readonly DateTimeOffset StartsAt = new(2026, 11, 27, 19, 30, 0, TimeSpan.Zero);

    public static MailOptions Options { get; } = new();

    public static BookingEmail Of(BookingEmailKind kind) => new()
    {
        Kind = kind,
        To = "Asha <asha@example.com>",
        UserId = "u_1",
        HoldId = "h_1",
        BookingId = kind == BookingEmailKind.Confirmed ? "b_1" : null,
        ShowTitle = "Dune: Part Two",
        VenueName = "PVR Phoenix",
        ScreenName = "Screen 3",
        City = "Mumbai",
        StartsAt = StartsAt,
        SeatLabels = ["A1", "A2"],
        Amount = 1250m,
        Currency = "INR",
        ExpiresAt = kind is BookingEmailKind.HoldExpiring or BookingEmailKind.Expired ? StartsAt.AddDays(-2).AddMinutes(10) : null,
        RefundId = kind == BookingEmailKind.Refunded ? "re_1" : null,
        OccurredAt = StartsAt.AddDays(-2),
    };
}

using BookMyShow.Workers.Notifications.Email;
using MimeKit;

namespace BookMyShow.Workers.Tests.Notifications;

[Trait("Tier", "Fast")]
public class BookingEmailComposerTests
{
    readonly BookingEmailComposer _composer = new();

    MimeMessage Compose(BookingEmail email, string key = "key.h_1") => _composer.Compose(email, SampleEmails.Options, key);

    [Theory]
    [InlineData(BookingEmailKind.Confirmed)]
    [InlineData(BookingEmailKind.HoldExpiring)]
    [InlineData(BookingEmailKind.Expired)]
    [InlineData(BookingEmailKind.Refunded)]
    public void Every_kind_shows_title_venue_time_seats_and_amount_in_text_and_html(BookingEmailKind kind)
    {
        var message = Compose(SampleEmails.Of(kind));

        foreach (var body in new[] { message.TextBody, message.HtmlBody })
        {
            Assert.Contains("Dune: Part Two", body);
            Assert.Contains("PVR Phoenix, Screen 3, Mumbai", body);
            Assert.Contains("Fri 27 Nov 2026, 19:30 UTC", body);
            Assert.Contains("A1, A2", body);
            Assert.Contains("INR 1,250.00", body);
            Assert.Contains("h_1", body);
        }
    }

    [Theory]
    [InlineData(BookingEmailKind.Confirmed, "Booking confirmed: Dune: Part Two, Fri 27 Nov 2026, 19:30 UTC")]
    [InlineData(BookingEmailKind.HoldExpiring, "Complete your booking: Dune: Part Two, Fri 27 Nov 2026, 19:30 UTC")]
    [InlineData(BookingEmailKind.Expired, "Hold expired: Dune: Part Two, Fri 27 Nov 2026, 19:30 UTC")]
    [InlineData(BookingEmailKind.Refunded, "Refund issued: Dune: Part Two, Fri 27 Nov 2026, 19:30 UTC")]
    public void Subject_names_the_kind_the_title_and_the_show_time(BookingEmailKind kind, string subject)
    {
        Assert.Equal(subject, Compose(SampleEmails.Of(kind)).Subject);
    }

    [Fact]
    public void Message_is_multipart_alternative_from_the_configured_sender_to_the_user()
    {
        var message = Compose(SampleEmails.Of(BookingEmailKind.Confirmed));

        var body = Assert.IsType<MultipartAlternative>(message.Body);
        Assert.Equal(["text/plain", "text/html"], body.Select(part => part.ContentType.MimeType));
        Assert.Equal("no-reply@bookmyshow.local", Assert.Single(message.From.Mailboxes).Address);
        Assert.Equal("asha@example.com", Assert.Single(message.To.Mailboxes).Address);
        Assert.Equal(SampleEmails.StartsAt.AddDays(-2), message.Date);
    }

    [Fact]
    public void Confirmation_shows_the_booking_id()
    {
        var message = Compose(SampleEmails.Of(BookingEmailKind.Confirmed));

        Assert.Contains("b_1", message.TextBody);
        Assert.Contains("b_1", message.HtmlBody);
    }

    [Fact]
    public void Expiry_warning_shows_when_the_hold_expires()
    {
        var message = Compose(SampleEmails.Of(BookingEmailKind.HoldExpiring));

        Assert.Contains("held until Wed 25 Nov 2026, 19:40 UTC", message.TextBody);
        Assert.Contains("held until Wed 25 Nov 2026, 19:40 UTC", message.HtmlBody);
    }

    [Fact]
    public void Refund_shows_the_refund_id()
    {
        var message = Compose(SampleEmails.Of(BookingEmailKind.Refunded));

        Assert.Contains("re_1", message.TextBody);
        Assert.Contains("re_1", message.HtmlBody);
    }

    [Fact]
    public void Markup_in_values_is_html_encoded()
    {
        var email = SampleEmails.Of(BookingEmailKind.Confirmed) with
        {
            ShowTitle = "<script>alert('x')</script>",
            VenueName = "Tom & Jerry's <b>Hall</b>",
            SeatLabels = ["<i>A1</i>"],
        };

        var html = Compose(email).HtmlBody;

        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<b>", html);
        Assert.DoesNotContain("<i>", html);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", html);
        Assert.Contains("Tom &amp; Jerry&#39;s &lt;b&gt;Hall&lt;/b&gt;", html);
        Assert.Contains("&lt;i&gt;A1&lt;/i&gt;", html);
    }

    [Fact]
    public void Show_time_is_printed_in_its_own_offset()
    {
        var email = SampleEmails.Of(BookingEmailKind.Confirmed) with
        {
            StartsAt = new DateTimeOffset(2026, 11, 27, 19, 30, 0, TimeSpan.FromHours(5.5)),
        };

        Assert.Contains("Fri 27 Nov 2026, 19:30 UTC+05:30", Compose(email).TextBody);
    }

    [Fact]
    public void Same_message_key_gives_the_same_message_id()
    {
        var first = Compose(SampleEmails.Of(BookingEmailKind.Confirmed), "confirmed.h_1");
        var again = Compose(SampleEmails.Of(BookingEmailKind.Confirmed), "confirmed.h_1");

        Assert.Equal("confirmed.h_1@bookmyshow.local", first.MessageId);
        Assert.Equal(first.MessageId, again.MessageId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("confirmed h_1")]
    [InlineData("confirmed:h_1")]
    [InlineData("<confirmed>")]
    [InlineData(".confirmed")]
    public void Message_key_that_cannot_be_a_message_id_is_rejected(string key)
    {
        var error = Assert.Throws<ArgumentException>(() => Compose(SampleEmails.Of(BookingEmailKind.Confirmed), key));
        Assert.Equal("messageKey", error.ParamName);
    }

    [Fact]
    public void Expiry_warning_without_expiry_time_is_rejected()
    {
        var email = SampleEmails.Of(BookingEmailKind.HoldExpiring) with { ExpiresAt = null };

        var error = Assert.Throws<ArgumentException>(() => Compose(email));
        Assert.Contains("ExpiresAt", error.Message);
    }

    [Fact]
    public void Recipient_that_is_not_an_address_is_rejected()
    {
        var email = SampleEmails.Of(BookingEmailKind.Confirmed) with { To = "asha" };

        Assert.Throws<ArgumentException>(() => Compose(email));
    }
}

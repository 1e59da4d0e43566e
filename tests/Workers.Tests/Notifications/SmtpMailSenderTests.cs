using System.Net;
using System.Net.Sockets;
using BookMyShow.TestInfrastructure;
using BookMyShow.TestInfrastructure.Smtp;
using BookMyShow.Workers.Notifications.Email;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BookMyShow.Workers.Tests.Notifications;

/// <summary>MailKit against a real SMTP server on 127.0.0.1 (<see cref="SmtpSink"/>).</summary>
public class SmtpMailSenderTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    static SmtpMailSender Sender(string host, int port, TimeSpan? timeout = null) => new(
        Options.Create(new MailOptions { Host = host, Port = port, UseTls = MailTls.None, Timeout = timeout ?? TimeSpan.FromSeconds(10) }),
        NullLogger<SmtpMailSender>.Instance);

    static MimeKit.MimeMessage Confirmation() =>
        new BookingEmailComposer().Compose(SampleEmails.Of(BookingEmailKind.Confirmed), SampleEmails.Options, "confirmed.h_1");

    [Fact]
    public async Task Message_sent_over_smtp_arrives_with_its_subject_recipient_and_body()
    {
        await using var sink = await SmtpSink.StartAsync();
        var sent = Confirmation();

        await Sender(sink.Host, sink.Port).SendAsync(sent, CancellationToken.None);

        var received = Assert.Single(await sink.WaitForAsync(messages => messages.Count >= 1, Patience));
        Assert.Equal("Booking confirmed: Dune: Part Two, Fri 27 Nov 2026, 19:30 UTC", received.Subject);
        Assert.Equal("asha@example.com", Assert.Single(received.To.Mailboxes).Address);
        Assert.Equal("no-reply@bookmyshow.local", Assert.Single(received.From.Mailboxes).Address);
        Assert.Equal("confirmed.h_1@bookmyshow.local", received.MessageId);
        Assert.Contains("Seats:", received.TextBody);
        Assert.Contains("A1, A2", received.TextBody);
        Assert.Contains("PVR Phoenix, Screen 3, Mumbai", received.HtmlBody);
    }

    [Fact]
    public async Task Server_answering_451_makes_send_throw_and_after_recovery_the_send_succeeds()
    {
        await using var sink = await SmtpSink.StartAsync();
        var sender = Sender(sink.Host, sink.Port);
        sink.FailWith(SmtpFailure.TransientReject);

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => sender.SendAsync(Confirmation(), CancellationToken.None));

        Assert.Equal(451, (int)error.StatusCode);
        Assert.Equal(1, sink.RejectedCount);
        Assert.Empty(sink.Messages);

        sink.FailWith(SmtpFailure.None);
        await sender.SendAsync(Confirmation(), CancellationToken.None);

        var received = Assert.Single(await sink.WaitForAsync(messages => messages.Count >= 1, Patience));
        Assert.Equal("confirmed.h_1@bookmyshow.local", received.MessageId);
    }

    [Fact]
    public async Task Nothing_listening_on_the_port_makes_send_throw()
    {
        var sender = Sender("127.0.0.1", FreePort.Next());

        var error = await Assert.ThrowsAsync<SocketException>(() => sender.SendAsync(Confirmation(), CancellationToken.None));

        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    [Fact]
    public async Task Server_that_never_greets_makes_send_throw_a_timeout_naming_the_setting()
    {
        // Accepted by the kernel's backlog, but nobody ever writes the 220 greeting.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var sender = Sender("127.0.0.1", ((IPEndPoint)silent.LocalEndpoint).Port, timeout: TimeSpan.FromMilliseconds(300));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => sender.SendAsync(Confirmation(), CancellationToken.None));

        Assert.Contains("Notifications:Mail:Timeout", error.Message);
    }
}

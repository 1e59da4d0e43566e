using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace BookMyShow.Workers.Notifications.Email;

/// <summary>Sends through the SMTP server at Notifications:Mail:Host with MailKit.</summary>
/// <remarks>
/// One connection per message: notifications are few, and a fresh connection never trips over one the server has
/// silently closed. SMTP replies (e.g. 451, 550) surface as <see cref="SmtpCommandException"/> with the status code.
/// </remarks>
public sealed class SmtpMailSender(IOptions<MailOptions> options, ILogger<SmtpMailSender> logger) : IMailSender
{
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var o = options.Value;
        if (string.IsNullOrWhiteSpace(o.Host))
        {
            throw new InvalidOperationException($"{MailOptions.Section}:Host is empty; there is no SMTP server to send to.");
        }

        // One deadline for the whole exchange; MailKit's own per-operation timeout (2 minutes) stays as a backstop.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(o.Timeout);
        using var client = new SmtpClient();
        try
        {
            await client.ConnectAsync(o.Host, o.Port, SocketOptions(o.UseTls), deadline.Token).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(o.UserName))
            {
                await client.AuthenticateAsync(o.UserName, o.Password ?? "", deadline.Token).ConfigureAwait(false);
            }
            await client.SendAsync(message, deadline.Token).ConfigureAwait(false);
            await client.DisconnectAsync(quit: true, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Our own deadline, not the caller's cancellation: a failure to retry like any other.
            throw new TimeoutException(
                $"Sending mail through {o.Host}:{o.Port} took longer than {MailOptions.Section}:Timeout ({o.Timeout}).");
        }

        logger.LogInformation("Sent mail {MessageId} '{Subject}' to {To} through {Host}:{Port}",
            message.MessageId, message.Subject, message.To.ToString(), o.Host, o.Port);
    }

    static SecureSocketOptions SocketOptions(MailTls tls) => tls switch
    {
        MailTls.None => SecureSocketOptions.None,
        MailTls.StartTls => SecureSocketOptions.StartTls,
        MailTls.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTlsWhenAvailable,
    };
}

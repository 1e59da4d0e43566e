using MimeKit;

namespace BookMyShow.Workers.Notifications.Email;

/// <summary>Delivers one message. A failure (refused, unreachable, timed out) is thrown, so the caller's retry policy decides.</summary>
public interface IMailSender
{
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace BookMyShow.Workers.Notifications.Email;

/// <summary>
/// Stands in for SMTP when Notifications:Mail:Host is empty: writes each message as an .eml file to
/// Notifications:Mail:PickupDirectory, or, without one, only logs it. Meant for the embedded dev mode.
/// </summary>
public sealed class LocalMailSender(IOptions<MailOptions> options, TimeProvider timeProvider, ILogger<LocalMailSender> logger) : IMailSender
{
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var directory = options.Value.PickupDirectory;
        if (string.IsNullOrWhiteSpace(directory))
        {
            logger.LogInformation(
                "Mail is not configured ({Section}:Host and PickupDirectory are empty); not sending '{Subject}' to {To}",
                MailOptions.Section, message.Subject, message.To.ToString());
            return;
        }

        Directory.CreateDirectory(directory);
        // Time first so a directory listing reads in sending order.
        var name = $"{timeProvider.GetUtcNow().ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}";
        var partial = Path.Combine(directory, name + ".tmp");
        var path = Path.Combine(directory, name + ".eml");
        try
        {
            await message.WriteToAsync(partial, cancellationToken).ConfigureAwait(false);
            // Renamed when complete, so whoever watches the directory never opens a half-written .eml.
            File.Move(partial, path);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }

        logger.LogInformation(
            "Mail is not configured ({Section}:Host is empty); wrote '{Subject}' to {To} as {Path}",
            MailOptions.Section, message.Subject, message.To.ToString(), path);
    }
}

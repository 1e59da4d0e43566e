using Microsoft.Extensions.Options;
using MimeKit;

namespace BookMyShow.Workers.Notifications.Email;

public enum MailTls
{
    /// <summary>Plain SMTP, for a local sink or relay.</summary>
    None,

    /// <summary>STARTTLS if the server offers it, plain otherwise.</summary>
    StartTlsWhenAvailable,

    /// <summary>STARTTLS required (submission port 587).</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465).</summary>
    SslOnConnect,
}

/// <summary>Configuration section "Notifications:Mail".</summary>
public sealed class MailOptions
{
    public const string Section = "Notifications:Mail";

    /// <summary>SMTP server; empty means mail is not sent (see <see cref="PickupDirectory"/>).</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 25;

    // A local sink offers no STARTTLS, so this is plain there and encrypted with a real relay.
    public MailTls UseTls { get; set; } = MailTls.StartTlsWhenAvailable;

    /// <summary>Authenticates when set; requires <see cref="Password"/>.</summary>
    public string? UserName { get; set; }

    public string? Password { get; set; }

    public string From { get; set; } = "BookMyShow <no-reply@bookmyshow.local>";

    /// <summary>With no Host: each message is written here as an .eml file (embedded dev mode); with neither, mail is only logged.</summary>
    public string? PickupDirectory { get; set; }

    /// <summary>Longest wait for one message: connect, authenticate, send and disconnect.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Checks Notifications:Mail:* at start; every failure names the key.</summary>
public sealed class MailOptionsValidator : IValidateOptions<MailOptions>
{
    public ValidateOptionsResult Validate(string? name, MailOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string p = MailOptions.Section;

        if (!string.IsNullOrWhiteSpace(options.Host) && Uri.CheckHostName(options.Host) == UriHostNameType.Unknown)
        {
            failures.Add($"{p}:Host must be a host name or IP address, not '{options.Host}'.");
        }
        if (options.Port is < 1 or > 65535)
        {
            failures.Add($"{p}:Port must be between 1 and 65535, not {options.Port}.");
        }
        if (!Enum.IsDefined(options.UseTls))
        {
            failures.Add($"{p}:UseTls must be None, StartTlsWhenAvailable, StartTls or SslOnConnect, not '{options.UseTls}'.");
        }
        if (string.IsNullOrEmpty(options.UserName) != string.IsNullOrEmpty(options.Password))
        {
            failures.Add($"{p}:UserName and {p}:Password must be set together.");
        }
        // MimeKit accepts a bare local part ("noreply") as a mailbox; a sender needs a domain.
        if (!MailboxAddress.TryParse(options.From, out var from) || !from.Address.Contains('@', StringComparison.Ordinal))
        {
            failures.Add($"{p}:From must be an e-mail address such as 'BookMyShow <no-reply@example.com>', not '{options.From}'.");
        }
        if (options.Timeout < TimeSpan.FromMilliseconds(100) || options.Timeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{p}:Timeout must be between 00:00:00.100 and 00:05:00, not {options.Timeout}.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

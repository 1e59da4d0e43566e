using BookMyShow.Workers.Notifications.Email;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace BookMyShow.Workers.Tests.Notifications;

[Trait("Tier", "Fast")]
public sealed class LocalMailSenderTests : IDisposable
{
    readonly string _directory = Path.Combine(Path.GetTempPath(), "bookmyshow-pickup-" + Guid.NewGuid().ToString("N"));
    readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    static MimeMessage Confirmation() =>
        new BookingEmailComposer().Compose(SampleEmails.Of(BookingEmailKind.Confirmed), SampleEmails.Options, "confirmed.h_1");

    [Fact]
    public async Task Without_host_a_pickup_directory_gets_one_eml_file_with_the_message()
    {
        var sender = new LocalMailSender(
            Options.Create(new MailOptions { PickupDirectory = _directory }), _time, NullLogger<LocalMailSender>.Instance);

        await sender.SendAsync(Confirmation(), CancellationToken.None);

        var file = Assert.Single(Directory.GetFiles(_directory));
        Assert.EndsWith(".eml", file, StringComparison.Ordinal);
        Assert.StartsWith("20261125T120000000Z-", Path.GetFileName(file), StringComparison.Ordinal);
        var written = await MimeMessage.LoadAsync(file);
        Assert.Equal("confirmed.h_1@bookmyshow.local", written.MessageId);
        Assert.Equal("Booking confirmed: Dune: Part Two, Fri 27 Nov 2026, 19:30 UTC", written.Subject);
        Assert.Contains("A1, A2", written.TextBody);
    }

    [Fact]
    public async Task Without_host_or_pickup_directory_the_message_is_only_logged_with_subject_and_recipient()
    {
        var logger = new RecordingLogger();
        var sender = new LocalMailSender(Options.Create(new MailOptions()), _time, logger);

        await sender.SendAsync(Confirmation(), CancellationToken.None);

        var (level, text) = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Information, level);
        Assert.Contains("not configured", text);
        Assert.Contains("Booking confirmed: Dune: Part Two", text);
        Assert.Contains("asha@example.com", text);
        Assert.False(Directory.Exists(_directory));
    }

    sealed class RecordingLogger : ILogger<LocalMailSender>
    {
        public List<(LogLevel Level, string Text)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}

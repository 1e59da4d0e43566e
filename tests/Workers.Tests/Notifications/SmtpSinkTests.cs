using BookMyShow.TestInfrastructure.Smtp;

namespace BookMyShow.Workers.Tests.Notifications;

public class SmtpSinkTests
{
    [Fact]
    public async Task Waiting_for_mail_that_never_comes_times_out_naming_the_sink()
    {
        await using var sink = await SmtpSink.StartAsync();

        var error = await Assert.ThrowsAsync<TimeoutException>(
            () => sink.WaitForAsync(messages => messages.Count > 0, TimeSpan.FromMilliseconds(200)));

        Assert.Contains($"{sink.Host}:{sink.Port}", error.Message);
        Assert.Contains("Received 0 message(s)", error.Message);
    }
}

using BookMyShow.Workers.Notifications.Email;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BookMyShow.Workers.Tests.Notifications;

[Trait("Tier", "Fast")]
public class MailRegistrationTests
{
    static ServiceProvider Provider(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddMail(configuration).BuildServiceProvider(validateScopes: true);
    }

    [Fact]
    public void Without_host_mail_goes_to_the_local_sender()
    {
        using var provider = Provider([]);

        Assert.IsType<LocalMailSender>(provider.GetRequiredService<IMailSender>());
        Assert.NotNull(provider.GetRequiredService<BookingEmailComposer>());
    }

    [Fact]
    public void With_host_mail_goes_over_smtp_with_the_configured_settings()
    {
        using var provider = Provider(new()
        {
            ["Notifications:Mail:Host"] = "127.0.0.1",
            ["Notifications:Mail:Port"] = "2525",
            ["Notifications:Mail:UseTls"] = "None",
        });

        Assert.IsType<SmtpMailSender>(provider.GetRequiredService<IMailSender>());
        var options = provider.GetRequiredService<IOptions<MailOptions>>().Value;
        Assert.Equal(2525, options.Port);
        Assert.Equal(MailTls.None, options.UseTls);
    }

    [Fact]
    public void Bad_port_fails_validation_naming_the_key()
    {
        using var provider = Provider(new() { ["Notifications:Mail:Port"] = "70000" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MailOptions>>().Value);

        Assert.Contains("Notifications:Mail:Port", error.Message);
    }
}

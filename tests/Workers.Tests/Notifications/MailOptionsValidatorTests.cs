using BookMyShow.Workers.Notifications.Email;

namespace BookMyShow.Workers.Tests.Notifications;

[Trait("Tier", "Fast")]
public class MailOptionsValidatorTests
{
    static string? Failure(Action<MailOptions> change)
    {
        var options = new MailOptions();
        change(options);
        return new MailOptionsValidator().Validate(null, options).FailureMessage;
    }

    [Fact]
    public void Defaults_are_valid()
    {
        Assert.True(new MailOptionsValidator().Validate(null, new MailOptions()).Succeeded);
    }

    [Theory]
    [InlineData("Port", "Notifications:Mail:Port")]
    [InlineData("Host", "Notifications:Mail:Host")]
    [InlineData("From", "Notifications:Mail:From")]
    [InlineData("UserName", "Notifications:Mail:Password")]
    [InlineData("Timeout", "Notifications:Mail:Timeout")]
    public void Bad_setting_is_rejected_naming_the_key(string setting, string key)
    {
        Action<MailOptions> change = setting switch
        {
            "Port" => o => o.Port = 0,
            "Host" => o => o.Host = "smtp example",
            "From" => o => o.From = "no-reply",
            "UserName" => o => o.UserName = "bookmyshow",
            _ => o => o.Timeout = TimeSpan.Zero,
        };

        var failure = Failure(change);

        Assert.NotNull(failure);
        Assert.Contains(key, failure);
    }
}

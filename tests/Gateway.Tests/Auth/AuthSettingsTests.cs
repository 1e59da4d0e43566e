using BookMyShow.Gateway.Auth;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;

namespace BookMyShow.Gateway.Tests.Auth;

[Trait("Tier", "Fast")]
public class AuthSettingsTests
{
    static TokenSettings Resolve(string environment, bool embedded, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddGatewayAuth(configuration, new HostingEnvironment { EnvironmentName = environment }, embedded);
        return services.BuildServiceProvider().GetRequiredService<TokenSettings>();
    }

    [Fact]
    public void Embedded_mode_outside_production_issues_dev_tokens_without_a_configured_key() =>
        Assert.True(Resolve(Environments.Development, embedded: true).DevTokensEnabled);

    [Fact]
    public void Production_has_no_dev_tokens_and_requires_a_signing_key()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Resolve(Environments.Production, embedded: true));
        Assert.Contains("Auth:SigningKey", error.Message, StringComparison.Ordinal);

        var settings = Resolve(Environments.Production, embedded: true, ("Auth:SigningKey", new string('k', 40)));
        Assert.False(settings.DevTokensEnabled);
    }

    [Fact]
    public void Distributed_gateway_has_no_dev_tokens_unless_configured()
    {
        var key = ("Auth:SigningKey", new string('k', 40));
        Assert.False(Resolve(Environments.Development, embedded: false, key).DevTokensEnabled);
        Assert.True(Resolve(Environments.Production, embedded: false, key, ("Auth:DevTokens", "true")).DevTokensEnabled);
    }

    [Fact]
    public void Dev_tokens_carry_roles_only_when_configured()
    {
        Assert.False(Resolve(Environments.Development, embedded: true).DevTokenRoles);
        Assert.True(Resolve(Environments.Development, embedded: true, ("Auth:DevTokenRoles", "true")).DevTokenRoles);
    }

    [Fact]
    public void Short_signing_key_is_refused_by_name()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Resolve(Environments.Production, embedded: false, ("Auth:SigningKey", "short")));
        Assert.Contains("Auth:SigningKey", error.Message, StringComparison.Ordinal);
    }
}

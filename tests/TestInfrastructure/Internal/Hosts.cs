namespace BookMyShow.TestInfrastructure.Internal;

internal interface IPostgresHost : IAsyncDisposable
{
    ServiceSource Source { get; }

    string AdminConnectionString { get; }

    string Description { get; }

    bool CanControl { get; }

    Task StopAsync(bool kill, CancellationToken cancellationToken);

    Task StartAsync(CancellationToken cancellationToken);

    string Diagnostics(int lines);
}

internal interface IRabbitMqHost : IAsyncDisposable
{
    ServiceSource Source { get; }

    Uri Uri { get; }

    string Description { get; }

    bool CanControl { get; }

    /// <summary>Creates <paramref name="name"/> with full permissions for the URI's user and returns its URI.</summary>
    Task<Uri> CreateVirtualHostAsync(string name, CancellationToken cancellationToken);

    Task StopAsync(bool kill, CancellationToken cancellationToken);

    Task StartAsync(CancellationToken cancellationToken);

    string Diagnostics(int lines);
}

internal static class AmqpUris
{
    /// <summary>The URI with its path replaced by the (escaped) virtual host.</summary>
    public static Uri WithVirtualHost(Uri server, string virtualHost) =>
        new UriBuilder(server) { Path = "/" + Uri.EscapeDataString(virtualHost) }.Uri;

    public static string UserName(Uri uri)
    {
        var userInfo = uri.UserInfo;
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        var user = colon < 0 ? userInfo : userInfo[..colon];
        return string.IsNullOrEmpty(user) ? "guest" : Uri.UnescapeDataString(user);
    }
}

using System.Net.Sockets;
using System.Text;

namespace BookMyShow.TestInfrastructure.Internal;

/// <summary>Answers, within about two seconds, whether a Docker engine answers a ping.</summary>
internal static class DockerProbe
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    public static async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (string.IsNullOrWhiteSpace(dockerHost))
        {
            const string defaultSocket = "/var/run/docker.sock";
            return File.Exists(defaultSocket) && await PingAsync(new UnixDomainSocketEndPoint(defaultSocket), cancellationToken).ConfigureAwait(false);
        }

        if (!Uri.TryCreate(dockerHost, UriKind.Absolute, out var endpoint))
        {
            return false;
        }

        return endpoint.Scheme switch
        {
            "unix" => File.Exists(endpoint.AbsolutePath)
                && await PingAsync(new UnixDomainSocketEndPoint(endpoint.AbsolutePath), cancellationToken).ConfigureAwait(false),
            // With TLS (DOCKER_TLS_VERIFY) a plain-HTTP ping cannot answer: trust the configuration.
            "tcp" when !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_TLS_VERIFY")) => true,
            "tcp" or "http" => await PingAsync(new System.Net.DnsEndPoint(endpoint.Host, endpoint.Port), cancellationToken).ConfigureAwait(false),
            _ => true,
        };
    }

    private static async Task<bool> PingAsync(System.Net.EndPoint endPoint, CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(Budget);
        try
        {
            using var socket = endPoint is UnixDomainSocketEndPoint
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(endPoint, budget.Token).ConfigureAwait(false);
            await socket.SendAsync("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"u8.ToArray(), SocketFlags.None, budget.Token)
                .ConfigureAwait(false);
            var buffer = new byte[64];
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, budget.Token).ConfigureAwait(false);
            var status = Encoding.ASCII.GetString(buffer, 0, read);
            return status.StartsWith("HTTP/1.", StringComparison.Ordinal) && status.Contains(" 200 ", StringComparison.Ordinal);
        }
        catch (Exception exception) when (exception is SocketException or IOException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}

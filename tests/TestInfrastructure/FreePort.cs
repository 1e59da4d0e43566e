using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace BookMyShow.TestInfrastructure;

/// <summary>Hands out TCP ports that are free on 127.0.0.1 right now.</summary>
public static class FreePort
{
    private static readonly ConcurrentDictionary<int, byte> HandedOut = new();

    /// <summary>
    /// Binds 127.0.0.1:0, reads the port the kernel chose and releases it. A port is never handed out
    /// twice by one process, so two servers started by the same tests cannot be given the same port.
    /// </summary>
    public static int Next()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (HandedOut.TryAdd(port, 0))
            {
                return port;
            }
        }

        throw new InvalidOperationException("Could not find a free TCP port on 127.0.0.1.");
    }
}

using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace BookMyShow.EndToEnd.Tests;

/// <summary>How a raw request sends its body.</summary>
public enum BodyMode
{
    /// <summary>With a Content-Length.</summary>
    ContentLength,

    /// <summary>Transfer-Encoding: chunked, no Content-Length.</summary>
    Chunked,

    /// <summary>A Content-Length 100 bytes longer than what is sent; then nothing more.</summary>
    Stall,

    /// <summary>One byte every half second, far below Kestrel's minimum data rate.</summary>
    Trickle,

    /// <summary>The bytes are the whole request, sent as they are (for what Kestrel refuses before the app).</summary>
    Raw,
}

/// <summary>A request as bytes on the wire.</summary>
public sealed record RawRequest(string Method, string Target, IReadOnlyList<(string Name, string Value)> Headers, byte[]? Body = null, BodyMode Mode = BodyMode.ContentLength);

/// <summary>The answer as read off the socket.</summary>
public sealed record RawResponse(int Status, string? ContentType, string Body)
{
    public JsonElement? Json()
    {
        if (Body.Length == 0 || ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) != true) return null;
        return JsonSerializer.Deserialize<JsonElement>(Body);
    }
}

/// <summary>
/// HTTP/1.1 by hand over a socket, for requests HttpClient will not send: bodies that are not UTF-8, chunked bodies
/// past the limit, bodies that stall or trickle, duplicate and odd headers, broken framing. The answer is read while
/// the body is still being written, as a server may answer (413, 408) before it has read it all.
/// </summary>
public static class RawHttp
{
    public static async Task<RawResponse> SendAsync(Uri server, RawRequest request, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, cancel.Token);
        var stream = client.GetStream();
        using var stopWriting = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token);
        var writing = WriteAsync(stream, server, request, stopWriting.Token);
        try
        {
            return await ReadResponseAsync(stream, cancel.Token);
        }
        finally
        {
            await stopWriting.CancelAsync();
            try
            {
                await writing;
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The server answered and closed before taking the whole body: that is what was tested.
            }
        }
    }

    static async Task WriteAsync(NetworkStream stream, Uri server, RawRequest request, CancellationToken ct)
    {
        if (request.Mode == BodyMode.Raw)
        {
            await stream.WriteAsync(request.Body ?? [], ct);
            return;
        }
        var body = request.Body ?? [];
        var head = new StringBuilder($"{request.Method} {request.Target} HTTP/1.1\r\nHost: {server.Host}:{server.Port}\r\n");
        foreach (var (name, value) in request.Headers) head.Append(name).Append(": ").Append(value).Append("\r\n");
        switch (request.Mode)
        {
            case BodyMode.Chunked:
                head.Append("Transfer-Encoding: chunked\r\n");
                break;
            case BodyMode.Stall:
                head.Append("Content-Length: ").Append(body.Length + 100).Append("\r\n");
                break;
            default:
                if (request.Body is not null) head.Append("Content-Length: ").Append(body.Length).Append("\r\n");
                break;
        }
        head.Append("Connection: close\r\n\r\n");
        // Header values may carry bytes beyond ASCII on purpose: written as Latin-1, byte for byte.
        await stream.WriteAsync(Encoding.Latin1.GetBytes(head.ToString()), ct);

        switch (request.Mode)
        {
            case BodyMode.Chunked:
                for (var offset = 0; offset < body.Length; offset += 16 * 1024)
                {
                    var chunk = body.AsMemory(offset, Math.Min(16 * 1024, body.Length - offset));
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n"), ct);
                    await stream.WriteAsync(chunk, ct);
                    await stream.WriteAsync("\r\n"u8.ToArray(), ct);
                }
                await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), ct);
                break;
            case BodyMode.Trickle:
                // The slowness is the input under test, not a wait for the system: one byte per tick until answered.
                using (var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(500)))
                {
                    foreach (var b in body)
                    {
                        await stream.WriteAsync(new[] { b }, ct);
                        await ticks.WaitForNextTickAsync(ct);
                    }
                }
                break;
            default:
                await stream.WriteAsync(body, ct);
                break;
        }
        await stream.FlushAsync(ct);
    }

    static async Task<RawResponse> ReadResponseAsync(NetworkStream stream, CancellationToken ct)
    {
        var buffer = new List<byte>();
        var chunk = new byte[16 * 1024];
        int headEnd;
        while ((headEnd = IndexOf(buffer, "\r\n\r\n"u8)) < 0)
        {
            var read = await stream.ReadAsync(chunk, ct);
            if (read == 0) throw new IOException($"The connection closed before a response head; got {buffer.Count} bytes.");
            buffer.AddRange(chunk.AsSpan(0, read));
        }
        var head = Encoding.Latin1.GetString(buffer.GetRange(0, headEnd).ToArray()).Split("\r\n");
        var status = int.Parse(head[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = head.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim(), StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var rest = buffer.GetRange(headEnd + 4, buffer.Count - headEnd - 4);

        async Task<bool> MoreAsync()
        {
            var read = await stream.ReadAsync(chunk, ct);
            rest.AddRange(chunk.AsSpan(0, read));
            return read > 0;
        }

        byte[] body;
        if (headers.TryGetValue("Content-Length", out var length))
        {
            var n = int.Parse(length, System.Globalization.CultureInfo.InvariantCulture);
            while (rest.Count < n && await MoreAsync()) { }
            body = rest.Take(n).ToArray();
        }
        else if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var decoded = new List<byte>();
            var position = 0;
            while (true)
            {
                int lineEnd;
                while ((lineEnd = IndexOf(rest, "\r\n"u8, position)) < 0 && await MoreAsync()) { }
                if (lineEnd < 0) break;
                var size = Convert.ToInt32(Encoding.ASCII.GetString(rest.GetRange(position, lineEnd - position).ToArray()).Split(';')[0], 16);
                if (size == 0) break;
                while (rest.Count < lineEnd + 2 + size + 2 && await MoreAsync()) { }
                decoded.AddRange(rest.GetRange(lineEnd + 2, Math.Min(size, rest.Count - lineEnd - 2)));
                position = lineEnd + 2 + size + 2;
            }
            body = decoded.ToArray();
        }
        else
        {
            while (await MoreAsync()) { }
            body = rest.ToArray();
        }
        return new RawResponse(status, headers.GetValueOrDefault("Content-Type"), Encoding.UTF8.GetString(body));
    }

    static int IndexOf(List<byte> bytes, ReadOnlySpan<byte> pattern, int from = 0)
    {
        for (var i = from; i <= bytes.Count - pattern.Length; i++)
        {
            var match = true;
            for (var j = 0; j < pattern.Length && match; j++) match = bytes[i + j] == pattern[j];
            if (match) return i;
        }
        return -1;
    }
}

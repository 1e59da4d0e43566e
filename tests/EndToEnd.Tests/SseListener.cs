using System.Net.Http.Headers;
using System.Text.Json;
using BookMyShow.TestInfrastructure;

namespace BookMyShow.EndToEnd.Tests;

/// <summary>One open <c>GET /v1/users/me/events</c> connection, read in the background, as a browser's EventSource would.</summary>
public sealed class SseListener : IAsyncDisposable
{
    public sealed record Event(string Type, string? Id, JsonElement Data);

    readonly CancellationTokenSource _stop = new();
    readonly HttpResponseMessage _response;
    readonly List<Event> _events = [];
    readonly SemaphoreSlim _arrived = new(0);
    readonly Task _reader;

    SseListener(HttpResponseMessage response)
    {
        _response = response;
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>Connects and returns once the gateway says the subscription is in place (the "ready" event).</summary>
    public static async Task<SseListener> ConnectAsync(ApiClient api, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/users/me/events");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await api.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var listener = new SseListener(response);
        await listener.WaitForAsync(e => e.Any(x => x.Type == "ready"), TimeSpan.FromSeconds(10));
        return listener;
    }

    public IReadOnlyList<Event> Events
    {
        get { lock (_events) return [.. _events]; }
    }

    /// <summary>The booking events received (no ready/heartbeat).</summary>
    public IReadOnlyList<Event> BookingEvents => Events.Where(e => e.Type is not ("ready" or "heartbeat") && !e.Type.StartsWith("hold_request.", StringComparison.Ordinal)).ToList();

    public async Task<IReadOnlyList<Event>> WaitForAsync(Func<IReadOnlyList<Event>, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var events = Events;
            if (condition(events)) return events;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || _reader.IsCompleted)
            {
                throw new TimeoutException($"SSE condition not met within {timeout} (stream {(_reader.IsCompleted ? "ended" : "open")}); received: "
                    + string.Join(", ", events.Select(e => $"{e.Type}:{e.Id}")));
            }
            await _arrived.WaitAsync(left);
        }
    }

    async Task ReadAsync()
    {
        try
        {
            await using var stream = await _response.Content.ReadAsStreamAsync(_stop.Token);
            using var reader = new StreamReader(stream);
            string? type = null, id = null, data = null;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data is not null)
                    {
                        lock (_events) _events.Add(new Event(type ?? "message", id, JsonSerializer.Deserialize<JsonElement>(data)));
                        _arrived.Release();
                    }
                    type = id = data = null;
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
                else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = data is null ? line[6..] : data + "\n" + line[6..];
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
            // Closed by us or by the server.
        }
        finally
        {
            _arrived.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        try { await _reader; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}

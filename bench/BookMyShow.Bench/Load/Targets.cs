using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace BookMyShow.Bench.Load;

/// <summary>A system under test as the virtual users call it: the pipeline (gateway) or the row-lock baseline.</summary>
public interface ITarget : IDisposable
{
    string Name { get; }

    Task PrepareUsersAsync(IReadOnlyCollection<string> userIds, CancellationToken ct);

    Task<IReadOnlyList<SeatInfo>> SeatMapAsync(string showId, CancellationToken ct);

    /// <summary>Asks for the seats and waits for the final answer; fills the record's times and outcome.</summary>
    Task HoldAsync(RequestRecord record, RunClock clock, CancellationToken ct);

    Task PayAsync(RequestRecord record, RunClock clock, CancellationToken ct);
}

public enum ListenMode
{
    /// <summary>Server-Sent Events on the request's events_url: the decision arrives when the gateway learns it.</summary>
    Sse,
    /// <summary>GET the status_url every poll interval.</summary>
    Poll,
    /// <summary>
    /// One <c>GET /v1/users/me/events</c> per user, opened before the sale (an app that is open): the decision arrives
    /// there as hold_request.held / hold_request.rejected; no request per hold request after the 202.
    /// </summary>
    User,
}

/// <summary>HTTP clients for one target: short requests share a pool of keep-alive connections; long streams get their own.</summary>
public sealed class BenchHttp : IDisposable
{
    public BenchHttp(Uri baseAddress, int maxConnections)
    {
        Requests = Create(baseAddress, maxConnections);
        Streams = Create(baseAddress, int.MaxValue);
    }

    /// <summary>Holds, polls, payments, seat maps.</summary>
    public HttpClient Requests { get; }

    /// <summary>SSE streams, which hold a connection until the decision.</summary>
    public HttpClient Streams { get; }

    static HttpClient Create(Uri baseAddress, int maxConnections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = maxConnections,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        ConnectTimeout = TimeSpan.FromSeconds(30),
    })
    {
        BaseAddress = baseAddress,
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>
    /// Opens up to <paramref name="count"/> keep-alive connections before the run, so the arrival burst measures the
    /// system rather than a storm of TCP handshakes against the listener's accept backlog.
    /// </summary>
    public static async Task WarmAsync(HttpClient client, string path, int count, CancellationToken ct)
    {
        for (var done = 0; done < count; done += 256)
        {
            var batch = Math.Min(256, count - done);
            await Task.WhenAll(Enumerable.Range(0, batch).Select(async _ =>
            {
                using var response = await client.GetAsync(new Uri(path, UriKind.Relative), ct);
            }));
        }
    }

    /// <summary>The show's seat map as users see it (both targets serve <c>GET /v1/shows/{id}/seats</c>).</summary>
    public async Task<IReadOnlyList<SeatInfo>> SeatMapAsync(string showId, CancellationToken ct)
    {
        using var response = await Requests.GetAsync(new Uri($"/v1/shows/{showId}/seats", UriKind.Relative), ct);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return SeatView.Parse(body.RootElement);
    }

    public void Dispose()
    {
        Requests.Dispose();
        Streams.Dispose();
    }
}

/// <summary>The product's gateway: dev tokens, 202 + request id, then SSE or polling until HELD/REJECTED.</summary>
public sealed class PipelineTarget(Uri baseAddress, int maxConnections, ListenMode listen, TimeSpan pollInterval) : ITarget
{
    readonly BenchHttp _http = new(baseAddress, maxConnections);
    readonly ConcurrentDictionary<string, string> _tokens = new();

    public string Name => "pipeline";

    public BenchHttp Http => _http;

    public async Task PrepareUsersAsync(IReadOnlyCollection<string> userIds, CancellationToken ct)
    {
        await Parallel.ForEachAsync(userIds.Where(u => !_tokens.ContainsKey(u)), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct }, async (user, token) =>
        {
            using var response = await _http.Requests.PostAsJsonAsync(new Uri("/v1/auth/dev-token", UriKind.Relative), new { user_id = user }, token);
            response.EnsureSuccessStatusCode();
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(token));
            _tokens[user] = body.RootElement.GetProperty("access_token").GetString()!;
        });
        if (listen != ListenMode.User) return;
        var opening = userIds.Where(u => !_userStreams.ContainsKey(u)).ToList();
        await Parallel.ForEachAsync(opening, new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = ct }, async (user, token) =>
        {
            _userStreams[user] = await OpenUserStreamAsync(_tokens[user], token);
        });
    }

    /// <summary>Decisions that came on the users' streams, by request id (a decision may come before its 202).</summary>
    readonly ConcurrentDictionary<string, TaskCompletionSource<(JsonElement View, double AtMs, DateTime AtUtc)>> _decisions = new();
    readonly ConcurrentDictionary<string, Task> _userStreams = new();
    readonly CancellationTokenSource _closing = new();
    readonly RunClock _streamClock = new();

    TaskCompletionSource<(JsonElement View, double AtMs, DateTime AtUtc)> DecisionOf(string requestId) =>
        _decisions.GetOrAdd(requestId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Opens the user's stream and returns once it is subscribed ("ready"); it is read in the background until disposal.</summary>
    async Task<Task> OpenUserStreamAsync(string token, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/users/me/events");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await _http.Streams.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = Task.Run(async () =>
        {
            using var _ = request;
            using var __ = response;
            using var ___ = reader;
            var type = "";
            try
            {
                while (await reader.ReadLineAsync(_closing.Token) is { } line)
                {
                    if (line.StartsWith("event:", StringComparison.Ordinal)) type = line[6..].Trim();
                    if (type == "ready") ready.TrySetResult();
                    if (!line.StartsWith("data:", StringComparison.Ordinal) || !type.StartsWith("hold_request.", StringComparison.Ordinal)) continue;
                    using var view = JsonDocument.Parse(line.AsMemory(5));
                    var requestId = view.RootElement.GetProperty("request_id").GetString()!;
                    DecisionOf(requestId).TrySetResult((view.RootElement.Clone(), _streamClock.NowMs, DateTime.UtcNow));
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
            {
                // Closing, or the connection went away: the requests still waiting give up at their deadline.
            }
            ready.TrySetResult();
        }, CancellationToken.None);
        await ready.Task.WaitAsync(ct);
        return reading;
    }

    async Task AwaitUserEventAsync(RequestRecord record, RunClock clock, CancellationToken ct)
    {
        var (view, _, atUtc) = await DecisionOf(record.RequestId!).Task.WaitAsync(ct);
        _decisions.TryRemove(record.RequestId!, out _);
        // When the stream brought it, on the run's clock (the decision may have come before the 202).
        record.DecidedUtc = atUtc;
        record.DecidedMs = clock.NowMs - (DateTime.UtcNow - atUtc).TotalMilliseconds;
        switch (view.GetProperty("status").GetString())
        {
            case "HELD":
                record.Outcome = Outcome.Held;
                record.HoldId = view.GetProperty("hold_id").GetString();
                record.ExpiresAt = view.GetProperty("expires_at").GetDateTimeOffset().UtcDateTime;
                break;
            default:
                record.Outcome = Outcome.Rejected;
                break;
        }
    }

    public Task<IReadOnlyList<SeatInfo>> SeatMapAsync(string showId, CancellationToken ct) => _http.SeatMapAsync(showId, ct);

    public async Task HoldAsync(RequestRecord record, RunClock clock, CancellationToken ct)
    {
        var token = _tokens[record.UserId];
        record.SentMs = clock.NowMs;
        using (var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/shows/{record.ShowId}/hold"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Content = new StringContent(JsonSerializer.Serialize(new { seat_ids = record.Seats }), Encoding.UTF8, "application/json");
            using var response = await _http.Requests.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            record.HttpStatus = (int)response.StatusCode;
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                record.Outcome = Outcome.Error;
                record.Error = $"hold answered {(int)response.StatusCode}: {Shorten(text)}";
                return;
            }
            record.AdmittedMs = clock.NowMs;
            using var body = JsonDocument.Parse(text);
            record.RequestId = body.RootElement.GetProperty("request_id").GetString();
        }
        switch (listen)
        {
            case ListenMode.Sse: await ListenAsync(record, token, clock, ct); break;
            case ListenMode.User: await AwaitUserEventAsync(record, clock, ct); break;
            default: await PollAsync(record, token, clock, ct); break;
        }
    }

    async Task ListenAsync(RequestRecord record, string token, RunClock clock, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/hold-requests/{record.RequestId}/events");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await _http.Streams.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            record.Outcome = Outcome.Error;
            record.Error = $"events answered {(int)response.StatusCode}";
            return;
        }
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal)) continue;
            using var view = JsonDocument.Parse(line.AsMemory(5));
            if (Decide(record, view.RootElement, clock)) return;
        }
        record.Outcome = Outcome.Error;
        record.Error = "event stream ended without a final status";
    }

    async Task PollAsync(RequestRecord record, string token, RunClock clock, CancellationToken ct)
    {
        while (true)
        {
            await Task.Delay(pollInterval, ct);
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/hold-requests/{record.RequestId}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await _http.Requests.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                record.Outcome = Outcome.Error;
                record.Error = $"status answered {(int)response.StatusCode}: {Shorten(text)}";
                return;
            }
            using var view = JsonDocument.Parse(text);
            if (Decide(record, view.RootElement, clock)) return;
        }
    }

    static bool Decide(RequestRecord record, JsonElement view, RunClock clock)
    {
        switch (view.GetProperty("status").GetString())
        {
            case "HELD":
                record.MarkDecided(clock);
                record.Outcome = Outcome.Held;
                var hold = view.GetProperty("hold");
                record.HoldId = hold.GetProperty("hold_id").GetString();
                record.ExpiresAt = hold.GetProperty("expires_at").GetDateTimeOffset().UtcDateTime;
                return true;
            case "REJECTED":
                record.MarkDecided(clock);
                record.Outcome = Outcome.Rejected;
                return true;
            default:
                return false;
        }
    }

    public async Task PayAsync(RequestRecord record, RunClock clock, CancellationToken ct)
    {
        var started = clock.NowMs;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/bookings/confirm");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _tokens[record.UserId]);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", Guid.NewGuid().ToString("N"));
        request.Content = new StringContent(JsonSerializer.Serialize(new { hold_id = record.HoldId, payment_token = "pm_card_visa" }), Encoding.UTF8, "application/json");
        using var response = await _http.Requests.SendAsync(request, ct);
        record.PayStatus = (int)response.StatusCode;
        record.PaidMs = clock.NowMs - started;
    }

    internal static string Shorten(string text) => text.Length <= 200 ? text : text[..200];

    public void Dispose()
    {
        _closing.Cancel();
        _http.Dispose();
        _closing.Dispose();
    }
}

/// <summary>The row-lock baseline: the 201/409 of the hold request is the decision.</summary>
public sealed class BaselineTarget(Uri baseAddress, int maxConnections) : ITarget
{
    readonly BenchHttp _http = new(baseAddress, maxConnections);

    public string Name => "baseline";

    public BenchHttp Http => _http;

    public Task PrepareUsersAsync(IReadOnlyCollection<string> userIds, CancellationToken ct) => Task.CompletedTask;

    public Task<IReadOnlyList<SeatInfo>> SeatMapAsync(string showId, CancellationToken ct) => _http.SeatMapAsync(showId, ct);

    public async Task HoldAsync(RequestRecord record, RunClock clock, CancellationToken ct)
    {
        record.SentMs = clock.NowMs;
        using var content = new StringContent(JsonSerializer.Serialize(new { seat_ids = record.Seats, user_id = record.UserId }), Encoding.UTF8, "application/json");
        using var response = await _http.Requests.PostAsync(new Uri($"/v1/shows/{record.ShowId}/hold", UriKind.Relative), content, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        record.HttpStatus = (int)response.StatusCode;
        switch (response.StatusCode)
        {
            case HttpStatusCode.Created:
                record.MarkDecided(clock);
                record.Outcome = Outcome.Held;
                using (var body = JsonDocument.Parse(text))
                {
                    record.HoldId = body.RootElement.GetProperty("hold_id").GetString();
                    record.ExpiresAt = body.RootElement.GetProperty("expires_at").GetDateTime().ToUniversalTime();
                }
                break;
            case HttpStatusCode.Conflict:
                record.MarkDecided(clock);
                record.Outcome = Outcome.Rejected;
                break;
            default:
                record.Outcome = Outcome.Error;
                record.Error = $"hold answered {(int)response.StatusCode}: {PipelineTarget.Shorten(text)}";
                break;
        }
    }

    public async Task PayAsync(RequestRecord record, RunClock clock, CancellationToken ct)
    {
        var started = clock.NowMs;
        using var content = new StringContent(JsonSerializer.Serialize(new { hold_id = record.HoldId, payment_token = "pm_card_visa" }), Encoding.UTF8, "application/json");
        using var response = await _http.Requests.PostAsync(new Uri("/v1/bookings/confirm", UriKind.Relative), content, ct);
        record.PayStatus = (int)response.StatusCode;
        record.PaidMs = clock.NowMs - started;
    }

    public void Dispose() => _http.Dispose();
}

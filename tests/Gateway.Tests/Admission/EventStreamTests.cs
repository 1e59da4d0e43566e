using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Runtime.ExceptionServices;
using BookMyShow.Gateway.Admission;
using BookMyShow.Gateway.Apis;
using BookMyShow.Gateway.Notifications;
using BookMyShow.Gateway.Extensions;
using BookMyShow.TestInfrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BookMyShow.Gateway.Tests.Admission;

/// <summary>
/// The event streams, with the gateway in this process (embedded mode) on real HTTP. A request's stream watches for its
/// decision and the watch ends with the stream: streams refused (404) or opened on a request already decided must not
/// leave watches behind, since nothing would ever end them. A user's stream sends heartbeats when quiet and still
/// delivers the next event after them.
/// </summary>
[Collection(nameof(EventStreamTests))]
public sealed class EventStreamTests : IAsyncLifetime, IDisposable
{
    static readonly string[] OneSeat = ["A1"];
    static readonly string[] SeatB1 = ["B1"];
    readonly string _file = Path.Combine(Path.GetTempPath(), $"gateway-watch-{Guid.NewGuid():N}.db");
    WebApplication _app = null!;
    HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Embedded"] = "true",
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:Sqlite"] = $"Data Source={_file}",
            ["Messaging:Transport"] = "InMemory",
            ["Auth:DevTokens"] = "true",
            ["Gateway:EventsHeartbeat"] = "00:00:00.300",
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddGatewayServices();
        _app = builder.Build();
        _app.MapGateway();
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };
    }

    public void Dispose() => _http?.Dispose();

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        File.Delete(_file);
    }

    async Task<string> TokenAsync(string userId)
    {
        using var response = await _http.PostAsJsonAsync("/v1/auth/dev-token", new { user_id = userId });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    async Task<string> ShowIdAsync(string token)
    {
        using var shows = await _http.SendAsync(Get($"/v1/movies/m_starfall/shows?date={DateTime.UtcNow.AddDays(1):yyyy-MM-dd}", token));
        return (await shows.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("shows")[0].GetProperty("show_id").GetString()!;
    }

    async Task<HttpResponseMessage> HoldAsync(string showId, string token, string[] seats)
    {
        var hold = Get($"/v1/shows/{showId}/hold", token);
        hold.Method = HttpMethod.Post;
        hold.Content = JsonContent.Create(new { seat_ids = seats });
        return await _http.SendAsync(hold);
    }

    HttpRequestMessage Get(string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", token);
        return request;
    }

    [Fact]
    public async Task Refused_and_finished_request_streams_leave_no_watch_behind()
    {
        var notifier = _app.Services.GetRequiredService<OutcomeNotifier>();
        var token = await TokenAsync("u_watch");
        var other = await TokenAsync("u_other");
        var before = notifier.Watching;

        // Unknown requests: 404, twenty times.
        for (var i = 0; i < 20; i++)
        {
            using var response = await _http.SendAsync(Get($"/v1/hold-requests/r_{Guid.NewGuid():N}/events", token));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        Assert.Equal(before, notifier.Watching);

        // A request that is decided: its stream shows the final status and ends; someone else's stream of it is a 404.
        var showId = await ShowIdAsync(token);
        using var placed = await HoldAsync(showId, token, OneSeat);
        Assert.Equal(HttpStatusCode.Accepted, placed.StatusCode);
        var requestId = (await placed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString()!;
        await Deadline.UntilAsync(async () =>
        {
            using var status = await _http.SendAsync(Get($"/v1/hold-requests/{requestId}", token));
            return (await status.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString() == "HELD";
        }, TimeSpan.FromSeconds(15), "the hold to be decided");

        using (var stranger = await _http.SendAsync(Get($"/v1/hold-requests/{requestId}/events", other)))
        {
            Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
        }
        for (var i = 0; i < 5; i++)
        {
            using var stream = await _http.SendAsync(Get($"/v1/hold-requests/{requestId}/events", token));
            Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
            var body = await stream.Content.ReadAsStringAsync(); // the stream ends after the final status
            Assert.Contains("\"status\":\"HELD\"", body);
        }
        await Deadline.UntilAsync(() => Task.FromResult(notifier.Watching == before), TimeSpan.FromSeconds(5), "the streams' watches to end");
    }

    [Fact]
    public async Task A_quiet_user_stream_gets_heartbeats_and_then_still_its_next_event()
    {
        var token = await TokenAsync("u_heartbeat");
        var showId = await ShowIdAsync(token);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var stream = await _http.SendAsync(Get("/v1/users/me/events", token), HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(deadline.Token));

        async Task<string> NextEventAsync()
        {
            while (await reader.ReadLineAsync(deadline.Token) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal)) return line["event: ".Length..];
            }
            throw new EndOfStreamException("the stream ended");
        }

        Assert.Equal("ready", await NextEventAsync());
        // Nothing happens for this user: heartbeats (every 300 ms here), one after another, and no cancellation thrown
        // for them (an on-sale keeps ten thousand such streams open). First-chance exceptions are process-wide: this
        // class runs alone (its collection is not parallelised), with nothing else going on in the gateway.
        var cancellations = 0;
        void Count(object? sender, FirstChanceExceptionEventArgs e)
        {
            if (e.Exception is OperationCanceledException) Interlocked.Increment(ref cancellations);
        }
        AppDomain.CurrentDomain.FirstChanceException += Count;
        try
        {
            Assert.Equal("heartbeat", await NextEventAsync());
            Assert.Equal("heartbeat", await NextEventAsync());
            Assert.Equal("heartbeat", await NextEventAsync());
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Count;
        }
        Assert.Equal(0, cancellations);

        // The next event after the heartbeats still arrives: the user's hold decision.
        using (var placed = await HoldAsync(showId, token, SeatB1))
        {
            Assert.Equal(HttpStatusCode.Accepted, placed.StatusCode);
        }
        string type;
        while ((type = await NextEventAsync()) == "heartbeat")
        {
        }
        Assert.Equal("hold_request.held", type);

        // The client goes away: the stream's subscription ends with it.
        var hub = _app.Services.GetRequiredService<UserEventHub>();
        stream.Dispose();
        await Deadline.UntilAsync(() => Task.FromResult(hub.ConnectionCount == 0), TimeSpan.FromSeconds(10), "the subscription to end");
    }
}

[CollectionDefinition(nameof(EventStreamTests), DisableParallelization = true)]
public sealed class EventStreamTestsCollection;

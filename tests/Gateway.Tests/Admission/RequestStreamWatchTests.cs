using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BookMyShow.Gateway.Admission;
using BookMyShow.Gateway.Extensions;
using BookMyShow.TestInfrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BookMyShow.Gateway.Tests.Admission;

/// <summary>
/// A request's event stream watches for its decision; the watch ends with the stream. Streams refused (404) or opened
/// on a request already decided must not leave watches behind: nothing would ever end them, and every such stream
/// would cost the gateway memory for good. The gateway runs in this process (embedded mode) on real HTTP.
/// </summary>
public sealed class RequestStreamWatchTests : IAsyncLifetime, IDisposable
{
    static readonly string[] OneSeat = ["A1"];
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
        using var shows = await _http.SendAsync(Get($"/v1/movies/m_starfall/shows?date={DateTime.UtcNow.AddDays(1):yyyy-MM-dd}", token));
        var showId = (await shows.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("shows")[0].GetProperty("show_id").GetString()!;
        var hold = Get($"/v1/shows/{showId}/hold", token);
        hold.Method = HttpMethod.Post;
        hold.Content = JsonContent.Create(new { seat_ids = OneSeat });
        using var placed = await _http.SendAsync(hold);
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
}

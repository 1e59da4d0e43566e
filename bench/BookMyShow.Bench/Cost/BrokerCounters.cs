using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace BookMyShow.Bench.Cost;

/// <summary>
/// Message counts of one virtual host from RabbitMQ's management API (the bench starts its broker with the plugin,
/// statistics every second): messages published into each exchange (<c>publish_in</c>) and delivered from each
/// queue (<c>deliver_get</c>, deliveries to consumers and basic.get answers). The counters only grow; a window's
/// figure is the difference of two readings. They are the broker's statistics, emitted by every channel and queue
/// once a second, so a reading is up to about a second old — at both ends of a window alike.
/// </summary>
public sealed class BrokerCounters(Uri managementApi) : IDisposable
{
    readonly HttpClient _http = new()
    {
        BaseAddress = managementApi,
        Timeout = TimeSpan.FromSeconds(10),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("guest:guest"))) },
    };

    /// <summary>Publishes by exchange ("exchange NAME") and deliveries by queue ("queue NAME").</summary>
    public async Task<Dictionary<string, long>> ReadAsync(string virtualHost, CancellationToken ct)
    {
        var counts = new Dictionary<string, long>();
        var vhost = Uri.EscapeDataString(virtualHost);
        await AddAsync($"api/exchanges/{vhost}?columns=name,message_stats", "exchange", "publish_in", counts, ct);
        await AddAsync($"api/queues/{vhost}?columns=name,message_stats", "queue", "deliver_get", counts, ct);
        return counts;
    }

    /// <summary>Whether the management API answers at all (it is off when the broker is not the bench's own).</summary>
    public async Task<bool> AvailableAsync(CancellationToken ct)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri("api/overview", UriKind.Relative), ct);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    async Task AddAsync(string path, string kind, string counter, Dictionary<string, long> counts, CancellationToken ct)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative), ct);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        foreach (var item in body.RootElement.EnumerateArray())
        {
            var name = item.GetProperty("name").GetString();
            var label = $"{kind} {(string.IsNullOrEmpty(name) ? "(default)" : name)}";
            if (item.TryGetProperty("message_stats", out var stats) && stats.ValueKind == JsonValueKind.Object
                && stats.TryGetProperty(counter, out var value) && value.ValueKind == JsonValueKind.Number)
            {
                counts[label] = value.GetInt64();
            }
        }
    }

    public void Dispose() => _http.Dispose();
}

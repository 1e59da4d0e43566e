using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace BookMyShow.TestInfrastructure;

/// <summary>A thin HTTP client for the gateway's API, as a user would call it.</summary>
public sealed class ApiClient(Uri baseAddress) : IDisposable
{
    readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(60),
    };

    public HttpClient Http => _http;

    public async Task<string> TokenAsync(string userId, string? email = null, string[]? roles = null)
    {
        using var response = await _http.PostAsJsonAsync("/v1/auth/dev-token", new { user_id = userId, email, roles = roles ?? [] });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("access_token").GetString()!;
    }

    public async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(
        HttpMethod method, string path, string? token, string? json = null, IDictionary<string, string>? headers = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(name, value);
        var response = await _http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        var isJson = response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true;
        var body = text.Length == 0 || !isJson ? default : JsonSerializer.Deserialize<JsonElement>(text);
        return (response.StatusCode, body, response);
    }

    public Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> HoldAsync(
        string showId, string token, IEnumerable<string> seats, IDictionary<string, string>? headers = null) =>
        SendAsync(HttpMethod.Post, $"/v1/shows/{showId}/hold", token, JsonSerializer.Serialize(new { seat_ids = seats }), headers);

    public Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> GetAsync(string path, string? token = null) =>
        SendAsync(HttpMethod.Get, path, token);

    public void Dispose() => _http.Dispose();
}

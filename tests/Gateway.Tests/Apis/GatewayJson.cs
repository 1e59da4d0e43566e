using System.Text.Json;

namespace BookMyShow.Gateway.Tests.Apis;

/// <summary>The gateway's JSON settings for request bodies (GatewayExtensions), so a test binds bodies as the framework does.</summary>
static class GatewayJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = false,
    };

    /// <summary>What binding <paramref name="json"/> to <typeparamref name="T"/> throws; null when it binds.</summary>
    public static JsonException? BindFailure<T>(string json)
    {
        try
        {
            JsonSerializer.Deserialize<T>(json, Options);
            return null;
        }
        catch (JsonException e)
        {
            return e;
        }
    }

    public static T Bind<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)!;
}

using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BookMyShow.Gateway.Apis;

/// <summary>Reads a JSON object body ourselves so every malformed input gets a precise 400 problem.</summary>
public static class JsonBody
{
    public const int MaxBytes = 64 * 1024;

    public readonly record struct Parsed(JsonElement Root, ProblemHttpResult? Problem);

    public static async Task<Parsed> ReadObjectAsync(HttpRequest request)
    {
        if (request.ContentLength is > MaxBytes)
        {
            return new(default, Problems.Of(StatusCodes.Status413PayloadTooLarge, "Body too large", $"The body may be at most {MaxBytes} bytes."));
        }
        if (request.ContentType is { } contentType && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return new(default, Problems.Of(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the body as application/json."));
        }
        try
        {
            using var doc = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new(default, Problems.BadRequest("The body must be a JSON object."));
            }
            return new(doc.RootElement.Clone(), null);
        }
        catch (JsonException ex)
        {
            return new(default, Problems.BadRequest($"The body is not valid JSON: {ex.Message.Split('.')[0]}."));
        }
    }
}

using System.Security.Cryptography;
using System.Text.Json;
using BookMyShow.Core.Catalog;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace BookMyShow.Gateway.Apis;

/// <summary>
/// Browse responses serialized once and kept in process for Catalog:CacheTtlSeconds, served with a strong ETag;
/// a matching If-None-Match gets 304.
/// </summary>
public sealed class CachedJson(IMemoryCache cache, IOptions<CatalogOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    sealed record Entry(byte[] Body, string ETag);

    /// <summary>The cached body for the key (or 304), or 404 when the factory says the resource does not exist.</summary>
    public async Task<Results<CachedJsonResult<T>, ProblemHttpResult>> RespondAsync<T>(HttpContext http, string key, Func<Task<T?>> factory, string notFoundDetail) where T : class
    {
        if (!cache.TryGetValue(key, out Entry? entry))
        {
            var value = await factory();
            if (value is null) return Problems.NotFound(notFoundDetail);
            var body = JsonSerializer.SerializeToUtf8Bytes(value, json.Value.SerializerOptions);
            entry = new Entry(body, $"\"{Convert.ToHexStringLower(SHA256.HashData(body))[..32]}\"");
            var ttl = options.Value.CacheTtlSeconds;
            if (ttl > 0) cache.Set(key, entry, TimeSpan.FromSeconds(ttl));
        }

        http.Response.Headers.ETag = entry!.ETag;
        http.Response.Headers.CacheControl = $"public, max-age={options.Value.CacheTtlSeconds}";
        var ifNoneMatch = http.Request.Headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0 && EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags)
            && tags.Any(t => t.Tag == "*" || t.Tag.Equals(entry.ETag, StringComparison.Ordinal)))
        {
            return new CachedJsonResult<T>(null);
        }
        return new CachedJsonResult<T>(entry.Body);
    }
}

using BookMyShow.Gateway.Seats;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace BookMyShow.Gateway.Apis;

/// <summary>Seat availability from the gateway's memory, kept current by the partitions (<see cref="SeatMaps"/>, ADR 0022).</summary>
public static class SeatsApi
{
    public static IEndpointRouteBuilder MapSeatsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/shows/{show_id:id}/seats", Seats).WithTags("Seats")
            .WithSummary("The show's seat map with live status: AVAILABLE, HELD or CONFIRMED (at most half a second old; ETag and If-None-Match).");
        return app;
    }

    [ProblemResponses(StatusCodes.Status404NotFound)]
    static async Task<Results<CachedJsonResult<SeatMapResponse>, ProblemHttpResult>> Seats(string show_id, HttpContext http, SeatMaps maps, CancellationToken ct)
    {
        var map = await maps.GetAsync(show_id, ct);
        if (map is null) return Problems.NotFound($"Show '{show_id}' does not exist.");
        http.Response.Headers.ETag = map.ETag;
        http.Response.Headers.CacheControl = "no-cache";
        var ifNoneMatch = http.Request.Headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0 && EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags)
            && tags.Any(t => t.Tag.Equals(map.ETag, StringComparison.Ordinal)))
        {
            return new CachedJsonResult<SeatMapResponse>(null);
        }
        return new CachedJsonResult<SeatMapResponse>(map.Json);
    }
}

using BookMyShow.Gateway.Seats;
using Microsoft.Net.Http.Headers;

namespace BookMyShow.Gateway.Apis;

public sealed record SeatDto(string SeatId, string Row, int Number, string Section, decimal Price, string Status);
public sealed record SeatMapResponse(string ShowId, IReadOnlyList<SeatDto> Seats);

/// <summary>Seat availability from the gateway's memory, kept current by the partitions (<see cref="SeatMaps"/>, ADR 0022).</summary>
public static class SeatsApi
{
    public static IEndpointRouteBuilder MapSeatsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/shows/{show_id}/seats", Seats).WithTags("Seats")
            .WithSummary("The show's seat map with live status: AVAILABLE, HELD or CONFIRMED (at most half a second old; ETag and If-None-Match).")
            .Produces<SeatMapResponse>().Produces(StatusCodes.Status304NotModified).ProducesProblem(404);
        return app;
    }

    static async Task<IResult> Seats(string show_id, HttpContext http, SeatMaps maps, CancellationToken ct)
    {
        var map = await maps.GetAsync(show_id, ct);
        if (map is null) return Problems.NotFound($"Show '{show_id}' does not exist.");
        http.Response.Headers.ETag = map.ETag;
        http.Response.Headers.CacheControl = "no-cache";
        var ifNoneMatch = http.Request.Headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0 && EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags)
            && tags.Any(t => t.Tag.Equals(map.ETag, StringComparison.Ordinal)))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        return TypedResults.Bytes(map.Json, "application/json");
    }
}

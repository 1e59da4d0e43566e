using BookMyShow.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace BookMyShow.Gateway.Apis;

public sealed record SeatDto(string SeatId, string Row, int Number, string Section, decimal Price, string Status);
public sealed record SeatMapResponse(string ShowId, IReadOnlyList<SeatDto> Seats);

/// <summary>Seat availability: read from the database, cached for at most half a second.</summary>
public static class SeatsApi
{
    static readonly TimeSpan Freshness = TimeSpan.FromMilliseconds(500);

    public static IEndpointRouteBuilder MapSeatsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/shows/{show_id}/seats", Seats).WithTags("Seats")
            .WithSummary("The show's seat map with live status: AVAILABLE, HELD or CONFIRMED.")
            .Produces<SeatMapResponse>().ProducesProblem(404);
        return app;
    }

    static async Task<IResult> Seats(string show_id, BookingDbContext db, IMemoryCache cache, TimeProvider time)
    {
        var key = $"seats:{show_id}";
        if (!cache.TryGetValue(key, out List<ShowSeat>? seats))
        {
            seats = await db.ShowSeats.AsNoTracking().Where(s => s.ShowId == show_id).ToListAsync();
            if (seats.Count == 0 && !await db.Shows.AnyAsync(s => s.Id == show_id))
            {
                return Problems.NotFound($"Show '{show_id}' does not exist.");
            }
            seats = seats.OrderBy(s => s.Row.Length).ThenBy(s => s.Row, StringComparer.Ordinal).ThenBy(s => s.Number).ToList();
            cache.Set(key, seats, Freshness);
        }
        var now = time.GetUtcNow().UtcDateTime;
        return TypedResults.Ok(new SeatMapResponse(show_id,
            seats!.Select(s => new SeatDto(s.SeatId, s.Row, s.Number, s.Section, s.Price, s.VisibleStatusAt(now))).ToList()));
    }
}

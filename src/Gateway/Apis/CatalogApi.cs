using System.Globalization;
using BookMyShow.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BookMyShow.Gateway.Apis;

public sealed record CityDto(string CityId, string Name);
public sealed record CitiesResponse(IReadOnlyList<CityDto> Cities);
public sealed record MovieDto(string MovieId, string Title, string Genre, int DurationMin, string Language, DateOnly ReleaseDate);
public sealed record MoviesResponse(string? CityId, DateOnly Date, IReadOnlyList<MovieDto> Movies);
public sealed record ShowSummaryDto(string ShowId, string MovieId, string VenueId, string VenueName, string ScreenId, string ScreenName, string CityId, DateTimeOffset StartsAt, string Currency);
public sealed record MovieShowsResponse(string MovieId, string? CityId, DateOnly Date, IReadOnlyList<ShowSummaryDto> Shows);
public sealed record SectionDto(string Name, decimal Price, IReadOnlyList<string> Rows, int Seats);
public sealed record ScreenDto(string ScreenId, string Name, int Capacity, IReadOnlyList<SectionDto> Sections);
public sealed record VenueScreensResponse(string VenueId, string VenueName, string CityId, IReadOnlyList<ScreenDto> Screens);
public sealed record VenueDto(string VenueId, string Name, string CityId, string Address);
public sealed record ShowResponse(string ShowId, MovieDto Movie, VenueDto Venue, ScreenDto Screen, DateTimeOffset StartsAt, string Currency, string SeatsUrl, string HoldUrl);

/// <summary>Browse endpoints: read-heavy, cached in process, with ETags.</summary>
public static class CatalogApi
{
    public static IEndpointRouteBuilder MapCatalogApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1").WithTags("Catalog");
        api.MapGet("/cities", Cities).WithSummary("List the cities.").Produces<CitiesResponse>();
        api.MapGet("/movies", Movies).WithSummary("Movies with shows in a city on a date (default: today, UTC).").Produces<MoviesResponse>().ProducesProblem(400).ProducesProblem(404);
        api.MapGet("/movies/{movie_id}/shows", MovieShows).WithSummary("Shows of a movie in a city on a date.").Produces<MovieShowsResponse>().ProducesProblem(400).ProducesProblem(404);
        api.MapGet("/venues/{venue_id}/screens", VenueScreens).WithSummary("Screens of a venue with their seat sections.").Produces<VenueScreensResponse>().ProducesProblem(404);
        api.MapGet("/shows/{show_id}", Show).WithSummary("One show: movie, venue, screen, start time.").Produces<ShowResponse>().ProducesProblem(404);
        return app;
    }

    static Task<IResult> Cities(HttpContext http, CachedJson cache, BookingDbContext db) =>
        cache.RespondAsync(http, "cities", async () =>
            new CitiesResponse(await db.Cities.AsNoTracking().OrderBy(c => c.Name).Select(c => new CityDto(c.Id, c.Name)).ToListAsync()), "");

    static async Task<IResult> Movies(HttpContext http, CachedJson cache, BookingDbContext db, TimeProvider time, string? city_id, string? date)
    {
        if (!TryParseDate(date, time, out var day)) return Problems.BadRequest("date must be YYYY-MM-DD.");
        if (city_id is not null && !await db.Cities.AnyAsync(c => c.Id == city_id)) return Problems.NotFound($"City '{city_id}' does not exist.");
        var (dayStart, dayEnd) = DayRange(day);
        return await cache.RespondAsync(http, $"movies:{city_id}:{day:yyyy-MM-dd}", async () =>
        {
            var movieIds = db.Shows.Where(s => (city_id == null || s.CityId == city_id) && s.StartsAt >= dayStart && s.StartsAt < dayEnd).Select(s => s.MovieId);
            var movies = await db.Movies.AsNoTracking().Where(m => movieIds.Contains(m.Id)).OrderBy(m => m.Title).ToListAsync();
            return new MoviesResponse(city_id, day, movies.Select(ToDto).ToList());
        }, "");
    }

    static async Task<IResult> MovieShows(HttpContext http, CachedJson cache, BookingDbContext db, TimeProvider time, string movie_id, string? city_id, string? date)
    {
        if (!TryParseDate(date, time, out var day)) return Problems.BadRequest("date must be YYYY-MM-DD.");
        var (dayStart, dayEnd) = DayRange(day);
        return await cache.RespondAsync(http, $"movie-shows:{movie_id}:{city_id}:{day:yyyy-MM-dd}", async () =>
        {
            if (!await db.Movies.AnyAsync(m => m.Id == movie_id)) return null;
            var shows = await (
                from s in db.Shows.AsNoTracking()
                join v in db.Venues on s.VenueId equals v.Id
                join sc in db.Screens on s.ScreenId equals sc.Id
                where s.MovieId == movie_id && (city_id == null || s.CityId == city_id) && s.StartsAt >= dayStart && s.StartsAt < dayEnd
                orderby s.StartsAt, v.Name
                select new { s, v, sc }).ToListAsync();
            return new MovieShowsResponse(movie_id, city_id, day, shows.Select(x => new ShowSummaryDto(
                x.s.Id, x.s.MovieId, x.v.Id, x.v.Name, x.sc.Id, x.sc.Name, x.s.CityId, new DateTimeOffset(x.s.StartsAt, TimeSpan.Zero), x.s.Currency)).ToList());
        }, $"Movie '{movie_id}' does not exist.");
    }

    static Task<IResult> VenueScreens(HttpContext http, CachedJson cache, BookingDbContext db, string venue_id) =>
        cache.RespondAsync(http, $"venue-screens:{venue_id}", async () =>
        {
            var venue = await db.Venues.AsNoTracking().FirstOrDefaultAsync(v => v.Id == venue_id);
            if (venue is null) return null;
            var screens = await db.Screens.AsNoTracking().Where(s => s.VenueId == venue_id).OrderBy(s => s.Name).ToListAsync();
            var result = new List<ScreenDto>();
            foreach (var screen in screens) result.Add(await ScreenAsync(db, screen));
            return new VenueScreensResponse(venue.Id, venue.Name, venue.CityId, result);
        }, $"Venue '{venue_id}' does not exist.");

    static Task<IResult> Show(HttpContext http, CachedJson cache, BookingDbContext db, string show_id) =>
        cache.RespondAsync(http, $"show:{show_id}", async () =>
        {
            var show = await db.Shows.AsNoTracking().FirstOrDefaultAsync(s => s.Id == show_id);
            if (show is null) return null;
            var movie = await db.Movies.AsNoTracking().FirstAsync(m => m.Id == show.MovieId);
            var venue = await db.Venues.AsNoTracking().FirstAsync(v => v.Id == show.VenueId);
            var screen = await db.Screens.AsNoTracking().FirstAsync(s => s.Id == show.ScreenId);
            return new ShowResponse(show.Id, ToDto(movie), new VenueDto(venue.Id, venue.Name, venue.CityId, venue.Address), await ScreenAsync(db, screen),
                new DateTimeOffset(show.StartsAt, TimeSpan.Zero), show.Currency, $"/v1/shows/{show.Id}/seats", $"/v1/shows/{show.Id}/hold");
        }, $"Show '{show_id}' does not exist.");

    static async Task<ScreenDto> ScreenAsync(BookingDbContext db, Screen screen)
    {
        var seats = await db.ScreenSeats.AsNoTracking().Where(s => s.ScreenId == screen.Id).ToListAsync();
        var sections = seats.GroupBy(s => s.Section)
            .Select(g => new SectionDto(g.Key, g.First().Price, g.Select(s => s.Row).Distinct().Order().ToList(), g.Count()))
            .OrderBy(s => s.Rows.Count > 0 ? s.Rows[0] : "")
            .ToList();
        return new ScreenDto(screen.Id, screen.Name, screen.Capacity, sections);
    }

    static MovieDto ToDto(Movie m) => new(m.Id, m.Title, m.Genre, m.DurationMin, m.Language, m.ReleaseDate);

    static bool TryParseDate(string? value, TimeProvider time, out DateOnly day)
    {
        if (string.IsNullOrEmpty(value))
        {
            day = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            return true;
        }
        return DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
    }

    static (DateTime From, DateTime To) DayRange(DateOnly day)
    {
        var from = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        return (from, from.AddDays(1));
    }
}

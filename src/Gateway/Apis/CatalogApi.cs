using BookMyShow.Core.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BookMyShow.Gateway.Apis;

/// <summary>Browse endpoints: read-heavy, cached in process, with ETags. What they answer: <c>Responses/CatalogResponses.cs</c>.</summary>
public static class CatalogApi
{
    public static IEndpointRouteBuilder MapCatalogApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1").WithTags("Catalog");
        api.MapGet("/cities", Cities).WithSummary("List the cities.");
        api.MapGet("/movies", Movies).WithSummary("Movies with shows in a city on a date (default: today, UTC).");
        api.MapGet("/movies/{movie_id:id}/shows", MovieShows).WithSummary("Shows of a movie in a city on a date.");
        api.MapGet("/venues/{venue_id:id}/screens", VenueScreens).WithSummary("Screens of a venue with their seat sections.");
        api.MapGet("/shows/{show_id:id}", Show).WithSummary("One show: movie, venue, screen, start time.");
        return app;
    }

    static Task<Results<CachedJsonResult<CitiesResponse>, ProblemHttpResult>> Cities(HttpContext http, CachedJson cache, BookingDbContext db) =>
        cache.RespondAsync(http, "cities", async () =>
            new CitiesResponse(await db.Cities.AsNoTracking().OrderBy(c => c.Name).Select(c => new CityResponse(c.Id, c.Name)).ToListAsync()), "");

    [ProblemResponses(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)]
    static async Task<Results<CachedJsonResult<MoviesResponse>, ProblemHttpResult>> Movies(
        HttpContext http, CachedJson cache, BookingDbContext db, TimeProvider time, string? city_id, string? date)
    {
        var (day, badDate) = CatalogQuery.Date(date, Today(time));
        if (badDate is not null) return badDate;
        if (CatalogQuery.CityId(city_id) is { } badCity) return badCity;
        if (city_id is not null && !await db.Cities.AnyAsync(c => c.Id == city_id)) return Problems.NotFound($"City '{city_id}' does not exist.");
        var (dayStart, dayEnd) = DayRange(day);
        return await cache.RespondAsync(http, $"movies:{city_id}:{day:yyyy-MM-dd}", async () =>
        {
            var movieIds = db.Shows.Where(s => (city_id == null || s.CityId == city_id) && s.StartsAt >= dayStart && s.StartsAt < dayEnd).Select(s => s.MovieId);
            var movies = await db.Movies.AsNoTracking().Where(m => movieIds.Contains(m.Id)).OrderBy(m => m.Title).ToListAsync();
            return new MoviesResponse(city_id, day, movies.Select(ToResponse).ToList());
        }, "");
    }

    [ProblemResponses(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)]
    static async Task<Results<CachedJsonResult<MovieShowsResponse>, ProblemHttpResult>> MovieShows(
        HttpContext http, CachedJson cache, BookingDbContext db, TimeProvider time, string movie_id, string? city_id, string? date)
    {
        var (day, badDate) = CatalogQuery.Date(date, Today(time));
        if (badDate is not null) return badDate;
        if (CatalogQuery.CityId(city_id) is { } badCity) return badCity;
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
            return new MovieShowsResponse(movie_id, city_id, day, shows.Select(x => new ShowSummaryResponse(
                x.s.Id, x.s.MovieId, x.v.Id, x.v.Name, x.sc.Id, x.sc.Name, x.s.CityId, new DateTimeOffset(x.s.StartsAt, TimeSpan.Zero), x.s.Currency)).ToList());
        }, $"Movie '{movie_id}' does not exist.");
    }

    [ProblemResponses(StatusCodes.Status404NotFound)]
    static Task<Results<CachedJsonResult<VenueScreensResponse>, ProblemHttpResult>> VenueScreens(HttpContext http, CachedJson cache, BookingDbContext db, string venue_id) =>
        cache.RespondAsync(http, $"venue-screens:{venue_id}", async () =>
        {
            var venue = await db.Venues.AsNoTracking().FirstOrDefaultAsync(v => v.Id == venue_id);
            if (venue is null) return null;
            var screens = await db.Screens.AsNoTracking().Where(s => s.VenueId == venue_id).OrderBy(s => s.Name).ToListAsync();
            var result = new List<ScreenResponse>();
            foreach (var screen in screens) result.Add(await ScreenAsync(db, screen));
            return new VenueScreensResponse(venue.Id, venue.Name, venue.CityId, result);
        }, $"Venue '{venue_id}' does not exist.");

    [ProblemResponses(StatusCodes.Status404NotFound)]
    static Task<Results<CachedJsonResult<ShowResponse>, ProblemHttpResult>> Show(HttpContext http, CachedJson cache, BookingDbContext db, string show_id) =>
        cache.RespondAsync(http, $"show:{show_id}", async () =>
        {
            var show = await db.Shows.AsNoTracking().FirstOrDefaultAsync(s => s.Id == show_id);
            if (show is null) return null;
            var movie = await db.Movies.AsNoTracking().FirstAsync(m => m.Id == show.MovieId);
            var venue = await db.Venues.AsNoTracking().FirstAsync(v => v.Id == show.VenueId);
            var screen = await db.Screens.AsNoTracking().FirstAsync(s => s.Id == show.ScreenId);
            return new ShowResponse(show.Id, ToResponse(movie), new VenueResponse(venue.Id, venue.Name, venue.CityId, venue.Address), await ScreenAsync(db, screen),
                new DateTimeOffset(show.StartsAt, TimeSpan.Zero), show.Currency, $"/v1/shows/{show.Id}/seats", $"/v1/shows/{show.Id}/hold");
        }, $"Show '{show_id}' does not exist.");

    static async Task<ScreenResponse> ScreenAsync(BookingDbContext db, Screen screen)
    {
        var seats = await db.ScreenSeats.AsNoTracking().Where(s => s.ScreenId == screen.Id).ToListAsync();
        var sections = seats.GroupBy(s => s.Section)
            .Select(g => new SectionResponse(g.Key, g.First().Price, g.Select(s => s.Row).Distinct().Order().ToList(), g.Count()))
            .OrderBy(s => s.Rows.Count > 0 ? s.Rows[0] : "")
            .ToList();
        return new ScreenResponse(screen.Id, screen.Name, screen.Capacity, sections);
    }

    static MovieResponse ToResponse(Movie m) => new(m.Id, m.Title, m.Genre, m.DurationMin, m.Language, m.ReleaseDate);

    static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    static (DateTime From, DateTime To) DayRange(DateOnly day)
    {
        var from = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        return (from, from.AddDays(1));
    }
}

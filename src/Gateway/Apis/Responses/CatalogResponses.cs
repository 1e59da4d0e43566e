namespace BookMyShow.Gateway.Apis;

// What the browse endpoints (CatalogApi) answer. Naming rule of the API: request bodies end in Request, everything
// the API writes (and the records nested in it) ends in Response.

public sealed record CityResponse(string CityId, string Name);

public sealed record CitiesResponse(IReadOnlyList<CityResponse> Cities);

public sealed record MovieResponse(string MovieId, string Title, string Genre, int DurationMin, string Language, DateOnly ReleaseDate);

public sealed record MoviesResponse(string? CityId, DateOnly Date, IReadOnlyList<MovieResponse> Movies);

public sealed record ShowSummaryResponse(string ShowId, string MovieId, string VenueId, string VenueName, string ScreenId, string ScreenName, string CityId, DateTimeOffset StartsAt, string Currency);

public sealed record MovieShowsResponse(string MovieId, string? CityId, DateOnly Date, IReadOnlyList<ShowSummaryResponse> Shows);

public sealed record SectionResponse(string Name, decimal Price, IReadOnlyList<string> Rows, int Seats);

public sealed record ScreenResponse(string ScreenId, string Name, int Capacity, IReadOnlyList<SectionResponse> Sections);

public sealed record VenueScreensResponse(string VenueId, string VenueName, string CityId, IReadOnlyList<ScreenResponse> Screens);

public sealed record VenueResponse(string VenueId, string Name, string CityId, string Address);

public sealed record ShowResponse(string ShowId, MovieResponse Movie, VenueResponse Venue, ScreenResponse Screen, DateTimeOffset StartsAt, string Currency, string SeatsUrl, string HoldUrl);

using System.Text.Json.Serialization;

namespace BookMyShow.Core.Catalog;

/// <summary>The JSON catalog format (see README, "Catalog file").</summary>
public sealed class CatalogDocument
{
    [JsonPropertyName("cities")] public List<CityDoc> Cities { get; set; } = [];
    [JsonPropertyName("movies")] public List<MovieDoc> Movies { get; set; } = [];
    [JsonPropertyName("venues")] public List<VenueDoc> Venues { get; set; } = [];
    [JsonPropertyName("shows")] public List<ShowDoc> Shows { get; set; } = [];
}

public sealed class CityDoc
{
    [JsonPropertyName("city_id")] public required string CityId { get; set; }
    [JsonPropertyName("name")] public required string Name { get; set; }
}

public sealed class MovieDoc
{
    [JsonPropertyName("movie_id")] public required string MovieId { get; set; }
    [JsonPropertyName("title")] public required string Title { get; set; }
    [JsonPropertyName("genre")] public string Genre { get; set; } = "";
    [JsonPropertyName("duration_min")] public int DurationMin { get; set; }
    [JsonPropertyName("language")] public string Language { get; set; } = "";
    [JsonPropertyName("release_date")] public DateOnly ReleaseDate { get; set; }
}

public sealed class VenueDoc
{
    [JsonPropertyName("venue_id")] public required string VenueId { get; set; }
    [JsonPropertyName("city_id")] public required string CityId { get; set; }
    [JsonPropertyName("name")] public required string Name { get; set; }
    [JsonPropertyName("address")] public string Address { get; set; } = "";
    [JsonPropertyName("screens")] public List<ScreenDoc> Screens { get; set; } = [];
}

public sealed class ScreenDoc
{
    [JsonPropertyName("screen_id")] public required string ScreenId { get; set; }
    [JsonPropertyName("name")] public required string Name { get; set; }
    [JsonPropertyName("sections")] public List<SectionDoc> Sections { get; set; } = [];
}

/// <summary>A block of rows sharing one price; seats are numbered 1..seats_per_row, ids are row + number ("A7").</summary>
public sealed class SectionDoc
{
    [JsonPropertyName("name")] public required string Name { get; set; }
    [JsonPropertyName("price")] public decimal Price { get; set; }
    [JsonPropertyName("rows")] public List<string> Rows { get; set; } = [];
    [JsonPropertyName("seats_per_row")] public int SeatsPerRow { get; set; }
}

public sealed class ShowDoc
{
    [JsonPropertyName("show_id")] public required string ShowId { get; set; }
    [JsonPropertyName("movie_id")] public required string MovieId { get; set; }
    [JsonPropertyName("screen_id")] public required string ScreenId { get; set; }
    [JsonPropertyName("starts_at")] public DateTimeOffset StartsAt { get; set; }
    [JsonPropertyName("currency")] public string Currency { get; set; } = "INR";
    /// <summary>Most seats one user may hold or have booked for this show (BookMyShow capped its 2024 Coldplay sale at 4).</summary>
    [JsonPropertyName("max_seats_per_user")] public int? MaxSeatsPerUser { get; set; }
}

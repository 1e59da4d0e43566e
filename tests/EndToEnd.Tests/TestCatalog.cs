using System.Text.Json;

namespace BookMyShow.EndToEnd.Tests;

/// <summary>A small catalog file for tests: one 200-seat hot show tomorrow and one show that has started.</summary>
public static class TestCatalog
{
    public const string HotShow = "s_hot";
    public const string StartedShow = "s_started";
    /// <summary>A show that lets one user have at most 4 seats (the catalog's <c>max_seats_per_user</c>).</summary>
    public const string CappedShow = "s_capped";
    public const int HotShowSeats = 200;

    /// <summary>
    /// The catalog file every deployment of this test process loads, written once into the test output folder
    /// (show times relative to the first use).
    /// </summary>
    public static string FilePath => LazyFilePath.Value;

    static readonly Lazy<string> LazyFilePath = new(() => Write(AppContext.BaseDirectory));

    public static string Write(string directory)
    {
        var now = DateTimeOffset.UtcNow;
        var doc = new
        {
            cities = new[] { new { city_id = "c_test", name = "Testville" } },
            movies = new[] { new { movie_id = "m_test", title = "Opening Night", genre = "Action", duration_min = 150, language = "English", release_date = now.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) } },
            venues = new[]
            {
                new
                {
                    venue_id = "v_test", city_id = "c_test", name = "Test Cinema", address = "1 Test Road",
                    screens = new[]
                    {
                        new
                        {
                            screen_id = "sc_test", name = "Screen 1",
                            sections = new[]
                            {
                                new { name = "premium", price = 500m, rows = new[] { "A", "B", "C" }, seats_per_row = 20 },
                                new { name = "regular", price = 250m, rows = new[] { "D", "E", "F", "G", "H", "I", "J" }, seats_per_row = 20 },
                            },
                        },
                    },
                },
            },
            shows = new[]
            {
                // The races and bulk tests give one user many seats: no per-user cap gets in their way (the whole screen).
                new { show_id = HotShow, movie_id = "m_test", screen_id = "sc_test", starts_at = now.AddDays(1), currency = "INR", max_seats_per_user = (int?)HotShowSeats },
                new { show_id = StartedShow, movie_id = "m_test", screen_id = "sc_test", starts_at = now.AddMinutes(-10), currency = "INR", max_seats_per_user = (int?)null },
                new { show_id = CappedShow, movie_id = "m_test", screen_id = "sc_test", starts_at = now.AddDays(1), currency = "INR", max_seats_per_user = (int?)4 },
            }.Concat(BulkShows.Select((id, i) => new { show_id = id, movie_id = "m_test", screen_id = "sc_test", starts_at = now.AddDays(2).AddHours(i), currency = "INR", max_seats_per_user = (int?)HotShowSeats })).ToArray(),
        };
        var path = Path.Combine(directory, "catalog.json");
        File.WriteAllText(path, JsonSerializer.Serialize(doc));
        return path;
    }

    /// <summary>Five more 200-seat shows, for tests that need a thousand holds.</summary>
    public static IReadOnlyList<string> BulkShows { get; } = ["s_bulk_0", "s_bulk_1", "s_bulk_2", "s_bulk_3", "s_bulk_4"];

    public static IReadOnlyList<string> SeatIds { get; } =
        (from row in "ABCDEFGHIJ" from n in Enumerable.Range(1, 20) select $"{row}{n}").ToList();
}

using System.Globalization;
using System.Text.Json;

namespace BookMyShow.Bench.Scenarios;

/// <summary>The bench's catalog (README "Catalog file" format): 100 shows of 200 seats (rows A–J, 20 seats each).</summary>
public static class BenchCatalog
{
    public const int ShowCount = 100;
    public const int SeatsPerShow = 200;

    public static IReadOnlyList<string> Shows { get; } = Enumerable.Range(0, ShowCount).Select(i => $"s_{i:000}").ToList();

    public static string HotShow => Shows[0];

    public static string Write(string directory)
    {
        var now = DateTimeOffset.UtcNow;
        var doc = new
        {
            cities = new[] { new { city_id = "c_bench", name = "Benchville" } },
            movies = new[] { new { movie_id = "m_bench", title = "On-Sale Night", genre = "Action", duration_min = 150, language = "English", release_date = now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) } },
            venues = new[]
            {
                new
                {
                    venue_id = "v_bench", city_id = "c_bench", name = "Bench Arena", address = "1 Load Street",
                    screens = new[]
                    {
                        new
                        {
                            screen_id = "sc_bench", name = "Hall 1",
                            sections = new[]
                            {
                                new { name = "premium", price = 500m, rows = new[] { "A", "B", "C" }, seats_per_row = 20 },
                                new { name = "regular", price = 250m, rows = new[] { "D", "E", "F", "G", "H", "I", "J" }, seats_per_row = 20 },
                            },
                        },
                    },
                },
            },
            shows = Shows.Select((id, i) => new { show_id = id, movie_id = "m_bench", screen_id = "sc_bench", starts_at = now.AddDays(2).AddHours(i), currency = "INR" }).ToArray(),
        };
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "bench-catalog.json");
        File.WriteAllText(path, JsonSerializer.Serialize(doc));
        return path;
    }
}

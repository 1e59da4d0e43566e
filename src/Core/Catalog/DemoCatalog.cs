namespace BookMyShow.Core.Catalog;

/// <summary>The catalog loaded on first start when no file is configured: 2 cities, 4 venues, 200-seat screens.</summary>
public static class DemoCatalog
{
    static readonly string[] ShowTimes = ["12:00", "16:00", "20:00"];

    public static CatalogDocument Create(DateTimeOffset now, int days)
    {
        var doc = new CatalogDocument
        {
            Cities =
            [
                new CityDoc { CityId = "c_mumbai", Name = "Mumbai" },
                new CityDoc { CityId = "c_bengaluru", Name = "Bengaluru" },
            ],
            Movies =
            [
                new MovieDoc { MovieId = "m_starfall", Title = "Starfall", Genre = "Sci-Fi", DurationMin = 142, Language = "English", ReleaseDate = DateOnly.FromDateTime(now.UtcDateTime.AddDays(-3)) },
                new MovieDoc { MovieId = "m_monsoon", Title = "Monsoon Wedding Redux", Genre = "Drama", DurationMin = 118, Language = "Hindi", ReleaseDate = DateOnly.FromDateTime(now.UtcDateTime.AddDays(-10)) },
                new MovieDoc { MovieId = "m_heist", Title = "The Last Heist", Genre = "Thriller", DurationMin = 127, Language = "English", ReleaseDate = DateOnly.FromDateTime(now.UtcDateTime.AddDays(-1)) },
                new MovieDoc { MovieId = "m_kites", Title = "Kites Over Kaveri", Genre = "Family", DurationMin = 104, Language = "Kannada", ReleaseDate = DateOnly.FromDateTime(now.UtcDateTime.AddDays(-20)) },
            ],
            Venues =
            [
                Venue("v_mum_pvr", "c_mumbai", "PVR Phoenix", "Lower Parel, Mumbai"),
                Venue("v_mum_inox", "c_mumbai", "INOX Nariman Point", "Nariman Point, Mumbai"),
                Venue("v_blr_forum", "c_bengaluru", "Forum Cinemas", "Koramangala, Bengaluru"),
                Venue("v_blr_orion", "c_bengaluru", "Orion Screens", "Rajajinagar, Bengaluru"),
            ],
        };

        var movies = doc.Movies.Select(m => m.MovieId).ToArray();
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var screenIndex = 0;
        foreach (var venue in doc.Venues)
        {
            foreach (var screen in venue.Screens)
            {
                for (var day = 0; day < days; day++)
                {
                    for (var slot = 0; slot < ShowTimes.Length; slot++)
                    {
                        var startsAt = today.AddDays(day).Add(TimeSpan.Parse(ShowTimes[slot], System.Globalization.CultureInfo.InvariantCulture));
                        if (startsAt <= now) continue;
                        doc.Shows.Add(new ShowDoc
                        {
                            ShowId = $"s_{screen.ScreenId[3..]}_{startsAt:yyyyMMddHHmm}",
                            MovieId = movies[(screenIndex + slot + day) % movies.Length],
                            ScreenId = screen.ScreenId,
                            StartsAt = startsAt,
                            Currency = "INR",
                        });
                    }
                }
                screenIndex++;
            }
        }
        return doc;
    }

    static VenueDoc Venue(string id, string cityId, string name, string address) => new()
    {
        VenueId = id,
        CityId = cityId,
        Name = name,
        Address = address,
        Screens = [Screen($"sc_{id[2..]}_1", "Screen 1"), Screen($"sc_{id[2..]}_2", "Screen 2")],
    };

    static ScreenDoc Screen(string id, string name) => new()
    {
        ScreenId = id,
        Name = name,
        Sections =
        [
            new SectionDoc { Name = "premium", Price = 500, Rows = ["A", "B", "C"], SeatsPerRow = 20 },
            new SectionDoc { Name = "regular", Price = 250, Rows = ["D", "E", "F", "G", "H", "I", "J"], SeatsPerRow = 20 },
        ],
    };
}

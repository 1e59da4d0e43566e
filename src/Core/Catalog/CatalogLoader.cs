using System.Text.Json;
using BookMyShow.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BookMyShow.Core.Catalog;

/// <summary>Validates a catalog document and writes it, with one AVAILABLE row per seat per show.</summary>
public static class CatalogLoader
{
    public static async Task<CatalogDocument> ReadFileAsync(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<CatalogDocument>(stream, cancellationToken: ct)
               ?? throw new InvalidDataException($"Catalog file '{path}' is empty.");
    }

    public static void Validate(CatalogDocument doc)
    {
        var cities = doc.Cities.Select(c => c.CityId).ToHashSet();
        var movies = doc.Movies.Select(m => m.MovieId).ToHashSet();
        var screens = new HashSet<string>();
        foreach (var venue in doc.Venues)
        {
            if (!cities.Contains(venue.CityId)) throw new InvalidDataException($"Venue '{venue.VenueId}' names unknown city '{venue.CityId}'.");
            foreach (var screen in venue.Screens)
            {
                if (!screens.Add(screen.ScreenId)) throw new InvalidDataException($"Screen id '{screen.ScreenId}' appears twice.");
                if (screen.Sections.Count == 0) throw new InvalidDataException($"Screen '{screen.ScreenId}' has no sections.");
                var seatIds = SeatsOf(screen).Select(s => s.SeatId).ToList();
                if (seatIds.Count != seatIds.Distinct().Count()) throw new InvalidDataException($"Screen '{screen.ScreenId}' repeats a row.");
            }
        }
        foreach (var show in doc.Shows)
        {
            if (!movies.Contains(show.MovieId)) throw new InvalidDataException($"Show '{show.ShowId}' names unknown movie '{show.MovieId}'.");
            if (!screens.Contains(show.ScreenId)) throw new InvalidDataException($"Show '{show.ShowId}' names unknown screen '{show.ScreenId}'.");
            if (show.Currency.Length != 3) throw new InvalidDataException($"Show '{show.ShowId}' currency must be an ISO 4217 code.");
        }
    }

    public static async Task LoadAsync(BookingDbContext db, CatalogDocument doc, CancellationToken ct)
    {
        Validate(doc);
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        db.Cities.AddRange(doc.Cities.Select(c => new City { Id = c.CityId, Name = c.Name }));
        db.Movies.AddRange(doc.Movies.Select(m => new Movie
        {
            Id = m.MovieId, Title = m.Title, Genre = m.Genre, DurationMin = m.DurationMin, Language = m.Language, ReleaseDate = m.ReleaseDate,
        }));
        var screenLayouts = new Dictionary<string, (VenueDoc Venue, List<ScreenSeat> Seats)>();
        foreach (var venue in doc.Venues)
        {
            db.Venues.Add(new Venue { Id = venue.VenueId, CityId = venue.CityId, Name = venue.Name, Address = venue.Address });
            foreach (var screen in venue.Screens)
            {
                var seats = SeatsOf(screen).ToList();
                screenLayouts[screen.ScreenId] = (venue, seats);
                db.Screens.Add(new Screen { Id = screen.ScreenId, VenueId = venue.VenueId, Name = screen.Name, Capacity = seats.Count });
                db.ScreenSeats.AddRange(seats);
            }
        }
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();

        foreach (var show in doc.Shows)
        {
            var (venue, seats) = screenLayouts[show.ScreenId];
            db.Shows.Add(new Show
            {
                Id = show.ShowId, MovieId = show.MovieId, ScreenId = show.ScreenId, VenueId = venue.VenueId, CityId = venue.CityId,
                StartsAt = show.StartsAt.UtcDateTime, Currency = show.Currency.ToUpperInvariant(), MaxSeatsPerUser = show.MaxSeatsPerUser,
            });
            db.ShowSeats.AddRange(seats.Select(s => new ShowSeat
            {
                ShowId = show.ShowId, SeatId = s.SeatId, Row = s.Row, Number = s.Number, Section = s.Section, Price = s.Price,
                Status = SeatStatus.Available,
            }));
            if (db.ChangeTracker.Entries().Count() > 5000)
            {
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
            }
        }
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        db.ChangeTracker.AutoDetectChangesEnabled = true;
    }

    static IEnumerable<ScreenSeat> SeatsOf(ScreenDoc screen) =>
        from section in screen.Sections
        from row in section.Rows
        from number in Enumerable.Range(1, section.SeatsPerRow)
        select new ScreenSeat
        {
            ScreenId = screen.ScreenId, SeatId = $"{row}{number}", Row = row, Number = number, Section = section.Name, Price = section.Price,
        };

    public static Task<bool> IsLoadedAsync(BookingDbContext db, CancellationToken ct) => db.Cities.AnyAsync(ct);
}

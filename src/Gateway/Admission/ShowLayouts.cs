using BookMyShow.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace BookMyShow.Gateway.Admission;

public sealed record ShowLayout(string ShowId, DateTime StartsAt, string Currency, IReadOnlySet<string> SeatIds, IReadOnlySet<string> Sections);

/// <summary>
/// The static part of a show (start time, seat ids) cached in process, for validating hold requests cheaply. One load
/// per show however many requests ask at once: an on-sale's first second is thousands of requests for a show nobody
/// had asked about yet, and each loading the layout itself would hold up the database for all of them.
/// </summary>
public sealed class ShowLayouts(IMemoryCache cache, IDbContextFactory<BookingDbContext> contexts)
{
    static readonly TimeSpan Known = TimeSpan.FromMinutes(5);
    static readonly TimeSpan Unknown = TimeSpan.FromSeconds(5);

    public async Task<ShowLayout?> FindAsync(string showId, CancellationToken ct)
    {
        var key = "layout:" + showId;
        var load = cache.GetOrCreate(key, entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = Known;
            return new Lazy<Task<ShowLayout?>>(() => LoadAsync(showId));
        })!;
        try
        {
            var layout = await load.Value.WaitAsync(ct);
            // An unknown show is remembered briefly only.
            if (layout is null) cache.Set(key, load, Unknown);
            return layout;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            cache.Remove(key); // a failed load is not kept: the next request tries again
            throw;
        }
    }

    async Task<ShowLayout?> LoadAsync(string showId)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var show = await db.Shows.AsNoTracking().FirstOrDefaultAsync(s => s.Id == showId);
        if (show is null) return null;
        var seats = await db.ShowSeats.AsNoTracking().Where(s => s.ShowId == showId).Select(s => new { s.SeatId, s.Section }).ToListAsync();
        return new ShowLayout(show.Id, show.StartsAt, show.Currency, seats.Select(s => s.SeatId).ToHashSet(StringComparer.Ordinal),
            seats.Select(s => s.Section).ToHashSet(StringComparer.Ordinal));
    }
}

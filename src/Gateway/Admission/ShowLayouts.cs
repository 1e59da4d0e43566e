using BookMyShow.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace BookMyShow.Gateway.Admission;

public sealed record ShowLayout(string ShowId, DateTime StartsAt, string Currency, IReadOnlySet<string> SeatIds);

/// <summary>The static part of a show (start time, seat ids) cached in process, for validating hold requests cheaply.</summary>
public sealed class ShowLayouts(IMemoryCache cache, IDbContextFactory<BookingDbContext> contexts)
{
    public async Task<ShowLayout?> FindAsync(string showId, CancellationToken ct)
    {
        var key = "layout:" + showId;
        if (cache.TryGetValue(key, out ShowLayout? layout)) return layout;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var show = await db.Shows.AsNoTracking().FirstOrDefaultAsync(s => s.Id == showId, ct);
        if (show is null) return null;
        var seats = await db.ShowSeats.AsNoTracking().Where(s => s.ShowId == showId).Select(s => s.SeatId).ToListAsync(ct);
        layout = new ShowLayout(show.Id, show.StartsAt, show.Currency, seats.ToHashSet(StringComparer.Ordinal));
        cache.Set(key, layout, TimeSpan.FromMinutes(5));
        return layout;
    }
}

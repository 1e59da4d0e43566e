using System.Collections.Concurrent;
using System.Text.Json;
using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Persistence;
using BookMyShow.Gateway.Apis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BookMyShow.Gateway.Seats;

/// <summary>A seat map answer, serialized once per state, with the ETag that names it.</summary>
public sealed record SeatMapBody(byte[] Json, string ETag);

/// <summary>
/// Seat maps answered from memory (ADR 0022): each show's layout and seat states are read from the database once, then
/// kept current by the partitions' <see cref="SeatMapsChanged"/> announcements (the newest version wins, so order and
/// copies do not matter). A map not heard about for <see cref="TrustFor"/> is read again, which bounds how long a lost
/// announcement can leave it stale. A held seat whose hold has lapsed reads as available, as the partition treats it.
/// </summary>
public sealed class SeatMaps(IDbContextFactory<BookingDbContext> contexts, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, TimeProvider time)
{
    public static readonly TimeSpan TrustFor = TimeSpan.FromSeconds(30);

    sealed record Layout(string ShowId, IReadOnlyList<ShowSeat> Seats);

    /// <summary>A version of a show's seat states: the held seats with the time their hold lapses, and the confirmed ones.</summary>
    sealed record State(long Version, IReadOnlyDictionary<string, DateTime> Held, IReadOnlySet<string> Confirmed);

    sealed class Entry(Layout layout, State state, DateTime heardAt)
    {
        public Layout Layout { get; } = layout;
        public State State { get; set; } = state;
        public DateTime HeardAt { get; set; } = heardAt;
        /// <summary>The body for <see cref="State"/>, good until a held seat lapses.</summary>
        public (SeatMapBody Body, long Version, DateTime ValidUntil)? Cached { get; set; }
    }

    readonly ConcurrentDictionary<string, Lazy<Task<Entry?>>> _entries = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, ShowSeatMap> _announced = new(StringComparer.Ordinal);

    /// <summary>A partition's announcement: kept if newer than what this gateway has.</summary>
    public void Apply(ShowSeatMap map)
    {
        _announced.AddOrUpdate(map.ShowId, map, (_, old) => map.Version > old.Version ? map : old);
        if (_entries.TryGetValue(map.ShowId, out var lazy) && lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully && lazy.Value.Result is { } entry)
        {
            lock (entry)
            {
                if (map.Version > entry.State.Version) entry.State = StateOf(map);
                entry.HeardAt = time.GetUtcNow().UtcDateTime;
            }
        }
    }

    /// <summary>The show's seat map, or null when the show does not exist.</summary>
    public async Task<SeatMapBody?> GetAsync(string showId, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var entry = await LoadAsync(showId, ct);
        if (entry is null) return null;
        if (now - entry.HeardAt > TrustFor)
        {
            // Not heard about for a while: read again (one reader does, the others wait for it).
            if (_entries.TryGetValue(showId, out var stale)) _entries.TryUpdate(showId, new Lazy<Task<Entry?>>(() => ReadAsync(showId)), stale);
            entry = await LoadAsync(showId, ct);
            if (entry is null) return null;
        }
        lock (entry)
        {
            var state = entry.State;
            if (entry.Cached is { } cached && cached.Version == state.Version && now < cached.ValidUntil) return cached.Body;
            var body = Render(entry.Layout, state, now, out var validUntil);
            entry.Cached = (body, state.Version, validUntil);
            return body;
        }
    }

    async Task<Entry?> LoadAsync(string showId, CancellationToken ct)
    {
        var lazy = _entries.GetOrAdd(showId, id => new Lazy<Task<Entry?>>(() => ReadAsync(id)));
        try
        {
            var entry = await lazy.Value.WaitAsync(ct);
            if (entry is null) _entries.TryRemove(new KeyValuePair<string, Lazy<Task<Entry?>>>(showId, lazy)); // an unknown show is not remembered
            return entry;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            _entries.TryRemove(new KeyValuePair<string, Lazy<Task<Entry?>>>(showId, lazy)); // a failed read is not kept
            throw;
        }
    }

    async Task<Entry?> ReadAsync(string showId)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var readAt = time.GetUtcNow().UtcDateTime;
        var seats = await db.ShowSeats.AsNoTracking().Where(s => s.ShowId == showId).ToListAsync();
        if (seats.Count == 0) return null;
        // The map's version is its newest seat's (ADR 0022).
        var version = seats.Max(s => s.Version);
        seats = [.. seats.OrderBy(s => s.Row.Length).ThenBy(s => s.Row, StringComparer.Ordinal).ThenBy(s => s.Number)];
        var state = new State(version,
            seats.Where(s => s.Status == SeatStatus.Held).ToDictionary(s => s.SeatId, s => s.ExpiresAt ?? DateTime.MaxValue, StringComparer.Ordinal),
            seats.Where(s => s.Status == SeatStatus.Confirmed).Select(s => s.SeatId).ToHashSet(StringComparer.Ordinal));
        // An announcement newer than what was read (it came while reading) wins.
        if (_announced.TryGetValue(showId, out var announced) && announced.Version > state.Version) state = StateOf(announced);
        return new Entry(new Layout(showId, seats), state, readAt);
    }

    static State StateOf(ShowSeatMap map) => new(
        map.Version,
        map.Held.SelectMany(h => h.SeatIds.Select(id => (id, h.Until.UtcDateTime))).ToDictionary(x => x.id, x => x.UtcDateTime, StringComparer.Ordinal),
        map.Confirmed.ToHashSet(StringComparer.Ordinal));

    SeatMapBody Render(Layout layout, State state, DateTime now, out DateTime validUntil)
    {
        validUntil = DateTime.MaxValue;
        var lapsed = 0;
        var seats = new List<SeatResponse>(layout.Seats.Count);
        foreach (var seat in layout.Seats)
        {
            var status = SeatStatus.Available;
            if (state.Confirmed.Contains(seat.SeatId)) status = SeatStatus.Confirmed;
            else if (state.Held.TryGetValue(seat.SeatId, out var until))
            {
                if (until > now)
                {
                    status = SeatStatus.Held;
                    if (until < validUntil) validUntil = until;
                }
                else lapsed++;
            }
            seats.Add(new SeatResponse(seat.SeatId, seat.Row, seat.Number, seat.Section, seat.Price, status));
        }
        var body = JsonSerializer.SerializeToUtf8Bytes(new SeatMapResponse(layout.ShowId, seats), json.Value.SerializerOptions);
        return new SeatMapBody(body, $"\"{state.Version}.{lapsed}\"");
    }
}

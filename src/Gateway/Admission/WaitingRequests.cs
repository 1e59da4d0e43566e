using System.Collections.Concurrent;
using BookMyShow.Core.Persistence;

namespace BookMyShow.Gateway.Admission;

/// <summary>
/// The requests this gateway admitted and has not yet seen decided. During an on-sale nearly every client opens the
/// request's event stream right after its 202; with this, opening it costs no database read. An entry leaves when the
/// decision event arrives (before waiters are woken, so a stream that found the entry is watching in time), or after
/// <see cref="MaxAge"/> whatever happened. A stale entry is harmless: the stream then learns the decision from the
/// position snapshot and reads it from the database, as a stream opened on another gateway does.
/// </summary>
public sealed class WaitingRequests(TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(10);

    /// <summary>What a waiting request's first view needs.</summary>
    public sealed record Entry(string Id, string ShowId, string UserId, string SeatIds, string? BestAvailable, long Seq, DateTime AdmittedAt)
    {
        public HoldRequest ToRequest() => new()
        {
            Id = Id, ShowId = ShowId, UserId = UserId, SeatIds = SeatIds, BestAvailable = BestAvailable, Seq = Seq, AdmittedAt = AdmittedAt,
            Status = RequestStatus.Queued,
        };
    }

    readonly ConcurrentDictionary<string, Entry> _entries = new();
    readonly ConcurrentQueue<(string Id, DateTimeOffset At)> _byAge = new();

    public int Count => _entries.Count;

    public void Admitted(HoldRequest request)
    {
        var now = time.GetUtcNow();
        _entries[request.Id] = new Entry(request.Id, request.ShowId, request.UserId, request.SeatIds, request.BestAvailable, request.Seq, request.AdmittedAt);
        _byAge.Enqueue((request.Id, now));
        while (_byAge.TryPeek(out var oldest) && now - oldest.At > MaxAge && _byAge.TryDequeue(out oldest)) _entries.TryRemove(oldest.Id, out _);
    }

    public void Decided(string requestId) => _entries.TryRemove(requestId, out _);

    /// <summary>The waiting request, when this gateway admitted it for this user and has not seen it decided.</summary>
    public Entry? Find(string requestId, string userId) =>
        _entries.TryGetValue(requestId, out var entry) && entry.UserId == userId ? entry : null;
}

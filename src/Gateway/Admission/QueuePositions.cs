using System.Collections.Concurrent;
using BookMyShow.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BookMyShow.Gateway.Admission;

/// <summary>
/// Queue positions for readers (poll and SSE), from one snapshot per show shared by every reader on this gateway: the
/// sequence numbers of the show's waiting requests, read at most every <see cref="MaxAge"/>. Counting per reader made
/// a full on-sale quadratic (every waiting client counting everyone ahead of it every second).
/// </summary>
public sealed class QueuePositions(IDbContextFactory<BookingDbContext> contexts, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(500);

    sealed record Snapshot(long[] QueuedSeqs, DateTimeOffset ReadAt);

    readonly ConcurrentDictionary<string, Lazy<Task<Snapshot>>> _snapshots = new();

    /// <summary>Waiting requests of the show admitted before <paramref name="seq"/>, as of at most <see cref="MaxAge"/> ago.</summary>
    public async Task<int> PositionAsync(string showId, long seq, CancellationToken ct) => (await LookupAsync(showId, seq, ct)).Position;

    /// <summary>The position, and whether the request may still be waiting (false: the snapshot shows it decided).</summary>
    public async Task<(int Position, bool Waiting)> LookupAsync(string showId, long seq, CancellationToken ct)
    {
        var snapshot = await CurrentAsync(showId, ct);
        var seqs = snapshot.QueuedSeqs;
        var index = Array.BinarySearch(seqs, seq);
        if (index >= 0) return (index, true);
        // Not listed: decided, unless it is newer than everything the snapshot saw.
        return (~index, seqs.Length == 0 || seq > seqs[^1]);
    }

    async Task<Snapshot> CurrentAsync(string showId, CancellationToken ct)
    {
        while (true)
        {
            var entry = _snapshots.GetOrAdd(showId, id => new Lazy<Task<Snapshot>>(() => ReadAsync(id)));
            Snapshot snapshot;
            try
            {
                snapshot = await entry.Value.WaitAsync(ct);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                // A failed read is not kept: the next reader tries again.
                _snapshots.TryRemove(new KeyValuePair<string, Lazy<Task<Snapshot>>>(showId, entry));
                throw;
            }
            if (time.GetUtcNow() - snapshot.ReadAt <= MaxAge) return snapshot;
            // Stale: one reader replaces it, the others wait for that read.
            _snapshots.TryUpdate(showId, new Lazy<Task<Snapshot>>(() => ReadAsync(showId)), entry);
        }
    }

    async Task<Snapshot> ReadAsync(string showId)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var readAt = time.GetUtcNow();
        var seqs = await db.HoldRequests.AsNoTracking()
            .Where(r => r.ShowId == showId && r.Status == RequestStatus.Queued)
            .OrderBy(r => r.Seq).Select(r => r.Seq).ToArrayAsync();
        return new Snapshot(seqs, readAt);
    }
}

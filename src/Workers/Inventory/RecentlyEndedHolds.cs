using System.Collections.Concurrent;

namespace BookMyShow.Workers.Inventory;

/// <summary>
/// Holds this process has ended and committed, remembered (boundedly) so that the many expiry messages of a burst,
/// after the first has ended them all in one transaction, are answered without a database round trip. A process that
/// takes a partition over starts empty and simply asks the database.
/// </summary>
public sealed class RecentlyEndedHolds
{
    const int Capacity = 200_000;
    readonly ConcurrentDictionary<string, byte> _ids = new();
    readonly ConcurrentQueue<string> _order = new();

    public void AddRange(IEnumerable<string> holdIds)
    {
        foreach (var id in holdIds)
        {
            if (_ids.TryAdd(id, 0)) _order.Enqueue(id);
        }
        while (_ids.Count > Capacity && _order.TryDequeue(out var oldest)) _ids.TryRemove(oldest, out _);
    }

    public bool ContainsAll(IReadOnlyList<string> holdIds) => holdIds.Count > 0 && holdIds.All(_ids.ContainsKey);
}

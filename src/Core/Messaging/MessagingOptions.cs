using System.ComponentModel.DataAnnotations;

namespace BookMyShow.Core.Messaging;

public enum TransportKind
{
    InMemory,
    RabbitMq,
}

/// <summary>Configuration section "Messaging"; the broker address is ConnectionStrings:RabbitMq.</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    public TransportKind Transport { get; set; } = TransportKind.InMemory;

    /// <summary>Number of partition queues. Changing it moves shows between partitions: drain the queues first.</summary>
    [Range(1, 256)]
    public int Partitions { get; set; } = 16;

    /// <summary>Messages the broker hands a partition consumer ahead of time (they are still applied one by one, in order).</summary>
    [Range(1, 10000)]
    public int PartitionPrefetch { get; set; } = 128;

    /// <summary>Most hold requests a partition decides in one batch (one write).</summary>
    [Range(1, 10000)]
    public int PartitionBatchSize { get; set; } = 1000;
}

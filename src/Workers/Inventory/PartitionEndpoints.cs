using BookMyShow.Core.Messaging;
using MassTransit;

namespace BookMyShow.Workers.Inventory;

/// <summary>
/// Declares every partition queue in this process. On RabbitMQ each is a quorum queue with single active consumer, so
/// when several worker processes run, one consumes each partition and the others stand by.
/// </summary>
public sealed class PartitionEndpoints(MessagingOptions options) : IBusContribution
{
    public void AddConsumers(IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<PartitionConsumer>();
        bus.AddConsumer<PlaceHoldBatchConsumer>();
        bus.AddConsumer<PlaceHoldsConsumer>();
    }

    public void ConfigureEndpoints(IBusRegistrationContext context, IBusFactoryConfigurator bus, TransportKind transport)
    {
        for (var partition = 0; partition < options.Partitions; partition++)
        {
            bus.ReceiveEndpoint(Partitioning.QueueName(partition), e =>
            {
                e.ConfigureConsumeTopology = false;
                // Hold requests come as a gateway's group (PlaceHolds) or one by one, collected into batches (the batch
                // holds its messages until decided); every message waits for its shows' locks (ShowLocks), so each show
                // still has one writer at a time.
                e.ConcurrentMessageLimit = options.PartitionBatchSize + 1;
                e.PrefetchCount = Math.Max(options.PartitionPrefetch, 2 * options.PartitionBatchSize);
                if (e is IRabbitMqReceiveEndpointConfigurator rabbit)
                {
                    rabbit.SetQuorumQueue();
                    rabbit.SingleActiveConsumer = true;
                }
                // A partition is serial: while the database is down it waits and retries rather than give up on a
                // request (about 4 minutes in all); only then does a hold request get its PROCESSING_FAILED answer.
                e.UseMessageRetry(r => r.Exponential(12, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200)));
                e.ConfigureConsumer<PartitionConsumer>(context);
                e.ConfigureConsumer<PlaceHoldsConsumer>(context);
                e.ConfigureConsumer<PlaceHoldBatchConsumer>(context, c => c.Options<BatchOptions>(b => b
                    .SetMessageLimit(options.PartitionBatchSize)
                    .SetTimeLimit(options.PartitionBatchWait)
                    .SetConcurrencyLimit(1)));
            });
        }
    }
}

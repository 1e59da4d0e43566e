using BookMyShow.Core.Messaging;
using MassTransit;

namespace BookMyShow.Workers.Inventory;

/// <summary>
/// Declares every partition queue in this process. On RabbitMQ each is a quorum queue with single active consumer, so
/// when several worker processes run, one consumes each partition and the others stand by.
/// </summary>
public sealed class PartitionEndpoints(MessagingOptions options) : IBusContribution
{
    public void AddConsumers(IBusRegistrationConfigurator bus) => bus.AddConsumer<PartitionConsumer, PartitionConsumerDefinition>();

    public void ConfigureEndpoints(IBusRegistrationContext context, IBusFactoryConfigurator bus, TransportKind transport)
    {
        for (var partition = 0; partition < options.Partitions; partition++)
        {
            bus.ReceiveEndpoint(Partitioning.QueueName(partition), e =>
            {
                e.ConfigureConsumeTopology = false;
                // On RabbitMQ many messages are in hand at once, so that what arrives while a batch is written joins the
                // next batch, and the partition puts them back in queue order by their delivery tags (DeliveryOrder). The
                // in-memory transport numbers nothing: there they are applied one at a time (PartitionConsumerDefinition).
                e.ConcurrentMessageLimit = transport == TransportKind.RabbitMq ? options.PartitionPrefetch : 1;
                e.PrefetchCount = options.PartitionPrefetch;
                if (e is IRabbitMqReceiveEndpointConfigurator rabbit)
                {
                    rabbit.SetQuorumQueue();
                    rabbit.SingleActiveConsumer = true;
                }
                e.ConfigureConsumer<PartitionConsumer>(context);
            });
        }
    }
}

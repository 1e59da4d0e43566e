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
                e.ConcurrentMessageLimit = 1; // in queue order (PartitionConsumerDefinition)
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

using BookMyShow.Core.Messaging;
using MassTransit;

namespace BookMyShow.Workers.Inventory;

/// <summary>
/// Declares every partition queue in this process. On RabbitMQ each is a quorum queue with single active consumer, so
/// when several worker processes run, one consumes each partition and the others stand by.
/// </summary>
public sealed class PartitionEndpoints(MessagingOptions options) : IBusContribution
{
    public void AddConsumers(IBusRegistrationConfigurator bus) => bus.AddConsumer<PartitionConsumer>();

    public void ConfigureEndpoints(IBusRegistrationContext context, IBusFactoryConfigurator bus, TransportKind transport)
    {
        for (var partition = 0; partition < options.Partitions; partition++)
        {
            bus.ReceiveEndpoint(Partitioning.QueueName(partition), e =>
            {
                e.ConfigureConsumeTopology = false;
                e.ConcurrentMessageLimit = 1;
                e.PrefetchCount = options.PartitionPrefetch;
                if (e is IRabbitMqReceiveEndpointConfigurator rabbit)
                {
                    rabbit.SetQuorumQueue();
                    rabbit.SingleActiveConsumer = true;
                }
                // A partition is serial: while the database is down it waits and retries rather than give up on a
                // request (about 4 minutes in all); only then does a hold request get its PROCESSING_FAILED answer.
                e.UseMessageRetry(r => r.Exponential(12, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200)));
                e.ConfigureConsumer<PartitionConsumer>(context);
            });
        }
    }
}

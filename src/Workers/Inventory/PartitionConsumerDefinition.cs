using BookMyShow.Core.Messaging;
using MassTransit;

namespace BookMyShow.Workers.Inventory;

/// <summary>
/// How a partition queue is consumed, wherever it is configured (<see cref="PartitionEndpoints"/>, tests): one message
/// at a time, in queue order, and retried while the database is away.
/// </summary>
public sealed class PartitionConsumerDefinition : ConsumerDefinition<PartitionConsumer>
{
    public PartitionConsumerDefinition()
    {
        // One message at a time, in queue order, where no delivery tags say the order (the in-memory transport): a
        // partition decides hold requests in the order they were admitted, and concurrent consumers would hand them to
        // its writer (PartitionActor) in whatever order their tasks ran. On RabbitMQ PartitionEndpoints takes many at once
        // and DeliveryOrder restores the order.
        ConcurrentMessageLimit = 1;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<PartitionConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        // A partition is serial: while the database is down it waits and retries rather than give up on a request (about
        // 4 minutes in all); then the message runs alone and a hold request that still fails is answered PROCESSING_FAILED.
        consumerConfigurator.UseMessageRetry(Retries.WaitOutAnOutage);
    }
}

using BookMyShow.Core.Messaging;
using MassTransit;

namespace BookMyShow.Workers.Analytics;

/// <summary>The <c>analytics</c> queue: booking events counted per show.</summary>
public sealed class AnalyticsEndpoints : IBusContribution
{
    public const string Queue = "analytics";

    public void AddConsumers(IBusRegistrationConfigurator bus) => bus.AddConsumer<ShowStatsConsumer, ShowStatsConsumerDefinition>();

    public void ConfigureEndpoints(IBusRegistrationContext context, IBusFactoryConfigurator bus, TransportKind transport) =>
        bus.ReceiveEndpoint(Queue, e =>
        {
            if (e is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.SetQuorumQueue();
            // Five event types, each batched (ShowStatsConsumerDefinition): room for a full batch of each.
            e.PrefetchCount = 6 * ShowStatsConsumerDefinition.BatchSize;
            e.ConcurrentMessageLimit = 5 * ShowStatsConsumerDefinition.BatchSize;
            // A database outage is waited out (about 4 minutes) before a message goes to the error queue.
            e.UseMessageRetry(Retries.WaitOutAnOutage);
            e.ConfigureConsumer<ShowStatsConsumer>(context);
        });
}

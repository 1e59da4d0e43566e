using BookMyShow.Core.Messaging;
using BookMyShow.Gateway.Notifications;
using BookMyShow.Gateway.Seats;
using MassTransit;

namespace BookMyShow.Gateway.Admission;

/// <summary>
/// Each gateway instance has a queue of its own bound to the decision and booking events (fan-out), deleted when it stops.
/// </summary>
public sealed class GatewayEndpoints : IBusContribution
{
    readonly string _queue = $"gateway-{Guid.NewGuid():N}";

    public void AddConsumers(IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<GatewayEventsConsumer>();
        bus.AddConsumer<UserEventsConsumer>();
        bus.AddConsumer<SeatMapsConsumer>();
    }

    public void ConfigureEndpoints(IBusRegistrationContext context, IBusFactoryConfigurator bus, TransportKind transport)
    {
        bus.ReceiveEndpoint(_queue, e =>
        {
            if (e is IRabbitMqReceiveEndpointConfigurator rabbit)
            {
                rabbit.AutoDelete = true;
                rabbit.Durable = false;
            }
            e.PrefetchCount = 512;
            e.ConfigureConsumer<GatewayEventsConsumer>(context);
            e.ConfigureConsumer<UserEventsConsumer>(context);
            e.ConfigureConsumer<SeatMapsConsumer>(context);
        });
    }
}

using BookMyShow.Core.Messaging;
using MassTransit;

namespace BookMyShow.Workers.Scheduling;

/// <summary>
/// The message scheduler on the bus. On RabbitMQ: <c>IMessageScheduler</c> and every consume context (so a saga's
/// <c>Schedule</c>/<c>Unschedule</c>) send ScheduleMessage / CancelScheduledMessage to <c>exchange:scheduler</c>, and
/// the <c>scheduler</c> queue stores them in Quartz's persistent store (<see cref="SchedulingRegistration"/>).
/// In memory (embedded mode): MassTransit's delayed scheduler, no Quartz consumers.
/// </summary>
public sealed class SchedulerEndpoints(MessagingOptions options) : IBusContribution
{
    public const string Queue = SchedulerAddress.Queue;

    /// <summary>Where schedules are sent. The exchange, not <c>queue:</c>, which would redeclare the quorum queue.</summary>
    public static Uri Address => SchedulerAddress.Value;

    public void AddConsumers(IBusRegistrationConfigurator bus)
    {
        if (options.Transport == TransportKind.RabbitMq)
        {
            bus.AddConsumer<ScheduleMessageConsumer>();
            bus.AddConsumer<CancelScheduledMessageConsumer>();
            bus.AddMessageScheduler(Address);
        }
        else
        {
            bus.AddDelayedMessageScheduler();
        }
    }

    public void ConfigureEndpoints(IBusRegistrationContext context, IBusFactoryConfigurator bus, TransportKind transport)
    {
        if (transport != TransportKind.RabbitMq)
        {
            bus.UseDelayedMessageScheduler();
            return;
        }

        // Gives every consume context (sagas included) a scheduler that sends to Address.
        bus.UseMessageScheduler(Address);
        bus.ReceiveEndpoint(Queue, e =>
        {
            // Reached by sending to its exchange only; no bindings for published ScheduleMessage types.
            e.ConfigureConsumeTopology = false;
            if (e is IRabbitMqReceiveEndpointConfigurator rabbit)
            {
                // A schedule, once confirmed to its sender, must not be lost with a broker node.
                rabbit.SetQuorumQueue();
            }
            e.PrefetchCount = 64;
            e.ConcurrentMessageLimit = 16;
            // A database hiccup: try again, then the error queue (nothing is dropped).
            e.UseMessageRetry(r => r.Intervals(100, 500, 1000, 5000, 10000));
            e.ConfigureConsumer<ScheduleMessageConsumer>(context);
            e.ConfigureConsumer<CancelScheduledMessageConsumer>(context);
        });
    }
}

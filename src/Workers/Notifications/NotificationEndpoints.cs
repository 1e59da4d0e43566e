using BookMyShow.Core.Messaging;
using BookMyShow.Workers.Notifications.Email;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BookMyShow.Workers.Notifications;

/// <summary>
/// The <c>notifications-email</c> queue. A failing mail server is retried with growing waits, then the message goes to
/// <c>notifications-email_error</c>, from where an operator replays it (<c>--replay-errors notifications-email</c>).
/// </summary>
public sealed class NotificationEndpoints(IConfiguration configuration) : IBusContribution
{
    public const string Queue = "notifications-email";

    public void AddConsumers(IBusRegistrationConfigurator bus) => bus.AddConsumer<BookingEmailConsumer>();

    public void ConfigureEndpoints(IBusRegistrationContext context, IBusFactoryConfigurator bus, TransportKind transport)
    {
        var options = configuration.GetSection(NotificationOptions.Section).Get<NotificationOptions>() ?? new NotificationOptions();
        bus.ReceiveEndpoint(Queue, e =>
        {
            if (e is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.SetQuorumQueue();
            e.PrefetchCount = 16;
            e.ConcurrentMessageLimit = 4;
            if (options.EmailRetryLimit > 0)
            {
                e.UseMessageRetry(r => r.Exponential(options.EmailRetryLimit, options.EmailRetryMinInterval, options.EmailRetryMaxInterval, options.EmailRetryMinInterval));
            }
            e.ConfigureConsumer<BookingEmailConsumer>(context);
        });
    }
}

public static class NotificationRegistration
{
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NotificationOptions>().Bind(configuration.GetSection(NotificationOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddMail(configuration);
        return services;
    }
}

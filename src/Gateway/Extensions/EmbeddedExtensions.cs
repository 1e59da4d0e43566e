using BookMyShow.Core.Messaging;
using BookMyShow.Sagas.Booking;
using BookMyShow.Workers.Extensions;

namespace BookMyShow.Gateway.Extensions;

/// <summary>
/// The one place the gateway reaches into the worker: the embedded all-in-one mode hosts the worker's services and
/// endpoints in the gateway process.
/// </summary>
public static class EmbeddedExtensions
{
    public static IBusContribution[] AddEmbeddedWorkers(IServiceCollection services, IConfiguration configuration)
    {
        services.AddWorkerServices(configuration);
        var messaging = configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>() ?? new MessagingOptions();
        if (messaging.Transport == TransportKind.InMemory)
        {
            services.AddHostedService<QueuedRequestRecovery>();
        }
        return [.. WorkerExtensions.WorkerBusContributions(configuration), .. BookingSagas.BusContributions()];
    }
}

using BookMyShow.Core.Messaging;
using BookMyShow.Core.Outbox;
using BookMyShow.Workers.Inventory;
using BookMyShow.Workers.Payments;
using BookMyShow.Workers.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BookMyShow.Workers.Extensions;

public static class WorkerExtensions
{
    /// <summary>Bus contributions of the worker: the partition queues, the payment worker and the message scheduler.</summary>
    public static IBusContribution[] WorkerBusContributions(IConfiguration configuration)
    {
        var messaging = configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>() ?? new MessagingOptions();
        return [new PartitionEndpoints(messaging), new PaymentEndpoints(), new SchedulerEndpoints(messaging)];
    }

    /// <summary>The worker's services apart from the bus: outbox dispatcher, payments, scheduler and expiry sweep.</summary>
    public static IServiceCollection AddWorkerServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OutboxOptions>().Bind(configuration.GetSection(OutboxOptions.Section));
        services.AddHostedService<OutboxDispatcher>();
        services.AddSingleton<RecentlyEndedHolds>();

        services.AddPayments(configuration);
        services.AddMessageScheduling(configuration, q => q.AddExpiredHoldSweep(configuration));
        return services;
    }
}

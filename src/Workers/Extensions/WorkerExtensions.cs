using BookMyShow.Core.Messaging;
using BookMyShow.Core.Outbox;
using BookMyShow.Workers.Analytics;
using BookMyShow.Workers.Inventory;
using BookMyShow.Workers.Maintenance;
using BookMyShow.Workers.Notifications;
using BookMyShow.Workers.Payments;
using BookMyShow.Workers.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BookMyShow.Workers.Extensions;

public static class WorkerExtensions
{
    /// <summary>Bus contributions of the worker: partition queues, payments, notifications and analytics.</summary>
    public static IBusContribution[] WorkerBusContributions(IConfiguration configuration)
    {
        var messaging = configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>() ?? new MessagingOptions();
        return [new PartitionEndpoints(messaging), new PaymentEndpoints(), new NotificationEndpoints(configuration), new AnalyticsEndpoints()];
    }

    /// <summary>The worker's services apart from the bus: outbox dispatcher, hold clock, payments, mail, and the Quartz jobs (sweeps, cleanup).</summary>
    public static IServiceCollection AddWorkerServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OutboxOptions>().Bind(configuration.GetSection(OutboxOptions.Section));
        services.AddHostedService<OutboxDispatcher>();
        services.AddHostedService<HoldClock>();
        services.AddPartitions(configuration);

        services.AddPayments(configuration);
        services.AddNotifications(configuration);
        services.AddRetention(configuration);
        services.AddScheduledJobs(configuration, q => q.AddExpiredHoldSweep(configuration).AddStrandedRequestSweep(configuration).AddRetentionCleanup(configuration));
        return services;
    }
}

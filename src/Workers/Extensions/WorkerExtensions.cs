using BookMyShow.Core.Holds;
using BookMyShow.Core.Messaging;
using BookMyShow.Core.Outbox;
using BookMyShow.Workers.Inventory;
using BookMyShow.Workers.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace BookMyShow.Workers.Extensions;

public static class WorkerExtensions
{
    /// <summary>Bus contributions of the worker: the partition queues.</summary>
    public static IBusContribution[] WorkerBusContributions(IConfiguration configuration)
    {
        var messaging = configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>() ?? new MessagingOptions();
        return [new PartitionEndpoints(messaging)];
    }

    /// <summary>The worker's services apart from the bus: outbox dispatcher and the expiry sweep.</summary>
    public static IServiceCollection AddWorkerServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OutboxOptions>().Bind(configuration.GetSection(OutboxOptions.Section));
        services.AddHostedService<OutboxDispatcher>();

        var holds = configuration.GetSection(HoldOptions.Section).Get<HoldOptions>() ?? new HoldOptions();
        services.AddQuartz(q =>
        {
            var key = new JobKey("expired-hold-sweep");
            q.AddJob<ExpiredHoldSweepJob>(j => j.WithIdentity(key));
            q.AddTrigger(t => t.ForJob(key).StartAt(DateTimeOffset.UtcNow.Add(holds.SweepInterval))
                .WithSimpleSchedule(s => s.WithInterval(holds.SweepInterval).RepeatForever()));
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return services;
    }
}

using BookMyShow.Core.Holds;
using BookMyShow.Core.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;

namespace BookMyShow.Workers.Scheduling;

public static class SchedulingRegistration
{
    /// <summary>
    /// The process's one Quartz scheduler: on PostgreSQL a persistent, clustered job store (tables created at start,
    /// before anything touches the scheduler), otherwise in memory. It runs the scheduled-message jobs that
    /// <see cref="SchedulerEndpoints"/> stores, and whatever <paramref name="configureJobs"/> adds (the expiry sweep:
    /// <see cref="AddExpiredHoldSweep"/>). Call it once: it is the only AddQuartz of the process.
    /// </summary>
    public static IServiceCollection AddMessageScheduling(this IServiceCollection services, IConfiguration configuration, Action<IQuartzBuilder>? configureJobs = null)
    {
        services.AddOptions<SchedulerOptions>().Bind(configuration.GetSection(SchedulerOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var options = configuration.GetSection(SchedulerOptions.Section).Get<SchedulerOptions>() ?? new SchedulerOptions();
        var database = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var persistent = options.UsePersistentStore ?? database.Provider == DatabaseProvider.Postgres;
        services.TryAddSingleton(TimeProvider.System);

        string? connectionString = null;
        if (persistent)
        {
            connectionString = configuration.GetConnectionString("Postgres");
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException("Scheduler:UsePersistentStore is on (or Database:Provider is Postgres) but ConnectionStrings:Postgres is not set.");
            }
            if (database.ApplySchemaOnStart)
            {
                services.AddSingleton<IHostedService>(sp => new QuartzSchemaService(connectionString, sp.GetRequiredService<ILogger<QuartzSchemaService>>()));
            }
        }

        services.AddSingleton(sp => new ScheduledTriggerProbe(connectionString, options.InstanceName, sp.GetRequiredService<ISchedulerFactory>()));
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = options.InstanceName;
                s.IdleWaitTime = options.IdleWaitTime;
                s.MaxBatchSize = options.BatchSize;
                // Jobs fired ahead wait for their time; on stop they are told, fail, and their triggers are stored for
                // a retry (by this worker after a restart, or by another one) rather than holding the stop up.
                s.ShutdownJobInterruption = ShutdownJobInterruption.WhenWaitingForJobs;
            });
            q.UseDefaultThreadPool(options.ThreadCount);
            q.AddJob<ScheduledMessageJob>(j => j.WithIdentity(ScheduledMessageJob.Key).StoreDurably().RequestRecovery()
                .WithDescription("Sends a scheduled message (MassTransit ScheduleMessage); one trigger per message"));
            if (connectionString is not null)
            {
                q.UsePersistentStore(store =>
                {
                    store.UsePostgres(connectionString);
                    store.UseSystemTextJsonSerializer();
                    // Storing a trigger needs no scheduler-wide lock on PostgreSQL: without it schedules are stored in
                    // parallel instead of one at a time (firing and completing stay correct: they claim rows).
                    store.ConfigureStore(o => o.LockOnInsert = false);
                    if (options.Clustered)
                    {
                        store.UseClustering(c =>
                        {
                            c.CheckinInterval = options.CheckinInterval;
                            c.CheckinMisfireThreshold = options.CheckinMisfireThreshold;
                        });
                    }
                });
            }
            else
            {
                q.UseInMemoryStore();
            }
            configureJobs?.Invoke(q);
        });
        // Quartz starts its scheduler once the host has started, so after the bus; on stop it interrupts the jobs
        // still running (see ShutdownJobInterruption above) and waits for them to wind up.
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return services;
    }

    /// <summary>
    /// The backstop expiry sweep, first Holds:FirstSweepAfter after the start, then every Holds:SweepInterval; with the
    /// clustered store one worker runs it at a time.
    /// </summary>
    public static IQuartzBuilder AddExpiredHoldSweep(this IQuartzBuilder quartz, IConfiguration configuration) =>
        quartz.AddSweep<ExpiredHoldSweepJob>("expired-hold-sweep", configuration);

    /// <summary>
    /// The backstop for requests left QUEUED by a gateway that died before the broker had them
    /// (<see cref="StrandedRequestSweepJob"/>), on the expiry sweep's schedule.
    /// </summary>
    public static IQuartzBuilder AddStrandedRequestSweep(this IQuartzBuilder quartz, IConfiguration configuration) =>
        quartz.AddSweep<StrandedRequestSweepJob>("stranded-request-sweep", configuration);

    static IQuartzBuilder AddSweep<TJob>(this IQuartzBuilder quartz, string name, IConfiguration configuration) where TJob : IJob
    {
        ArgumentNullException.ThrowIfNull(quartz);
        var holds = configuration.GetSection(HoldOptions.Section).Get<HoldOptions>() ?? new HoldOptions();
        var key = new JobKey(name);
        quartz.AddJob<TJob>(j => j.WithIdentity(key));
        // A stable trigger key: in the persistent store each start replaces the trigger instead of adding a copy.
        quartz.AddTrigger(t => t.WithIdentity(name).ForJob(key).StartAt(DateTimeOffset.UtcNow.Add(holds.FirstSweepAfter))
            .WithSimpleSchedule(s => s.WithInterval(holds.SweepInterval).RepeatForever()));
        return quartz;
    }
}

/// <summary>
/// Creates the Quartz tables in the host's starting phase, which runs before any hosted service starts: Quartz's job
/// store checks them when its scheduler is created, and the bus may hand a ScheduleMessage to the scheduler as soon
/// as it starts, whichever order the two were registered in.
/// </summary>
public sealed class QuartzSchemaService(string connectionString, ILogger<QuartzSchemaService> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await QuartzSchema.EnsureAsync(connectionString, cancellationToken);
        logger.LogDebug("Quartz tables are in place");
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

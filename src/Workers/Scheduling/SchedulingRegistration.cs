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
    /// The process's one Quartz scheduler, for the workers' periodic jobs (ADR 25): on PostgreSQL a persistent,
    /// clustered job store (tables created at start, before anything touches the scheduler), so that each run of a job
    /// happens on one worker; otherwise in memory. <paramref name="configureJobs"/> adds the jobs (the sweeps:
    /// <see cref="AddExpiredHoldSweep"/>, <see cref="AddStrandedRequestSweep"/>; the retention cleanup). Call it once:
    /// it is the only AddQuartz of the process.
    /// </summary>
    public static IServiceCollection AddScheduledJobs(this IServiceCollection services, IConfiguration configuration, Action<IQuartzBuilder>? configureJobs = null)
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

        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = options.InstanceName;
                s.IdleWaitTime = options.IdleWaitTime;
                // On stop, running jobs are told to stop rather than holding the stop up: a sweep or a cleanup cut
                // short loses nothing, its next run does the rest.
                s.ShutdownJobInterruption = ShutdownJobInterruption.WhenWaitingForJobs;
            });
            if (connectionString is not null)
            {
                q.UsePersistentStore(store =>
                {
                    store.UsePostgres(connectionString);
                    store.UseSystemTextJsonSerializer();
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
        // Quartz starts its scheduler once the host has started, so after the bus the sweeps send to; on stop it
        // interrupts the jobs still running (see ShutdownJobInterruption above) and waits for them to wind up.
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
/// store checks them when its scheduler is created, whichever order the two were registered in.
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

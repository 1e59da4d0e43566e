using BookMyShow.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace BookMyShow.Workers.Maintenance;

/// <summary>
/// Deletes bookkeeping that has done its job: inbox rows older than <see cref="RetentionOptions.Inbox"/> and answered
/// confirm requests older than <see cref="RetentionOptions.ConfirmAnswers"/>, in batches so no statement runs long.
/// Outbox rows need no cleanup here: the dispatcher deletes each row once the broker has confirmed it.
/// </summary>
[DisallowConcurrentExecution]
public sealed class RetentionCleanupJob(
    IDbContextFactory<BookingDbContext> contexts,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    ILogger<RetentionCleanupJob> logger) : IJob
{
    public static readonly JobKey Key = new("retention-cleanup");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await RunAsync(cancellationToken);

    public async Task<(int Inbox, int ConfirmAnswers)> RunAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var o = options.Value;
        var inboxBefore = now - o.Inbox;
        var answersBefore = now - o.ConfirmAnswers;
        int inbox = 0, answers = 0, deleted;
        await using var db = await contexts.CreateDbContextAsync(ct);
        do
        {
            deleted = await db.Inbox.Where(i => i.ProcessedAt < inboxBefore).OrderBy(i => i.ProcessedAt).Take(o.BatchSize).ExecuteDeleteAsync(ct);
            inbox += deleted;
        } while (deleted == o.BatchSize);
        do
        {
            deleted = await db.ConfirmRequests.Where(r => r.AnsweredAt != null && r.CreatedAt < answersBefore).OrderBy(r => r.CreatedAt).Take(o.BatchSize).ExecuteDeleteAsync(ct);
            answers += deleted;
        } while (deleted == o.BatchSize);
        if (inbox + answers > 0)
        {
            logger.LogInformation("Retention cleanup deleted {Inbox} inbox rows and {Answers} confirm answers", inbox, answers);
        }
        return (inbox, answers);
    }
}

public static class RetentionRegistration
{
    /// <summary>Runs <see cref="RetentionCleanupJob"/> every <see cref="RetentionOptions.Interval"/>.</summary>
    public static IQuartzBuilder AddRetentionCleanup(this IQuartzBuilder quartz, IConfiguration configuration)
    {
        var options = configuration.GetSection(RetentionOptions.Section).Get<RetentionOptions>() ?? new RetentionOptions();
        quartz.AddJob<RetentionCleanupJob>(j => j.WithIdentity(RetentionCleanupJob.Key));
        quartz.AddTrigger(t => t.WithIdentity("retention-cleanup").ForJob(RetentionCleanupJob.Key).StartAt(DateTimeOffset.UtcNow.Add(options.Interval))
            .WithSimpleSchedule(s => s.WithInterval(options.Interval).RepeatForever()));
        return quartz;
    }

    public static IServiceCollection AddRetention(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddTransient<RetentionCleanupJob>();
        return services;
    }
}

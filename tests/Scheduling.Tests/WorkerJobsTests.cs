using BookMyShow.Workers.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace BookMyShow.Scheduling.Tests;

/// <summary>The scheduler as the worker's own registration sets it up (ADR 25), in memory: nothing is started.</summary>
[Trait("Tier", "Fast")]
public sealed class WorkerJobsTests
{
    [Fact]
    public async Task Worker_scheduler_runs_the_two_sweeps_and_the_retention_cleanup_and_no_scheduled_messages()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["Messaging:Transport"] = "InMemory",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddWorkerServices(configuration);
        await using var provider = services.BuildServiceProvider();
        var scheduler = await provider.GetRequiredService<ISchedulerFactory>().GetScheduler();
        try
        {
            var jobs = await scheduler.GetJobKeys(GroupMatcher<JobKey>.AnyGroup());
            var triggers = await scheduler.GetTriggerKeys(GroupMatcher<TriggerKey>.AnyGroup());

            Assert.Equal(["expired-hold-sweep", "retention-cleanup", "stranded-request-sweep"], jobs.Select(j => j.Name).Order());
            Assert.Equal(3, triggers.Count);
        }
        finally
        {
            await scheduler.Shutdown(waitForJobsToComplete: false);
        }
    }
}

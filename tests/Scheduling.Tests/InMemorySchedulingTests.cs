using BookMyShow.Core.Messaging;
using BookMyShow.TestInfrastructure;
using BookMyShow.Workers.Scheduling;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BookMyShow.Scheduling.Tests;

/// <summary>The embedded mode: in-memory transport and SQLite, so MassTransit's delayed scheduler and no Quartz store.</summary>
public sealed class InMemorySchedulingTests
{
    [Fact]
    public async Task In_memory_transport_schedules_with_the_delayed_scheduler_and_hosts_no_quartz_consumers()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["Messaging:Transport"] = "InMemory",
        });
        var arrivals = new Arrivals();
        builder.Services.AddSingleton(arrivals);
        builder.Services.AddSingleton(new NodeName("embedded"));
        builder.Services.AddMessageScheduling(builder.Configuration);
        var messaging = builder.Configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>()!;
        builder.Services.AddBookMyShowBus(builder.Configuration, new TestEndpoints(16), new SchedulerEndpoints(messaging));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            await using (var scope = host.Services.CreateAsyncScope())
            {
                Assert.Null(scope.ServiceProvider.GetService<ScheduleMessageConsumer>());
                Assert.Null(scope.ServiceProvider.GetService<CancelScheduledMessageConsumer>());
                var ping = new ScheduledPing { Id = Guid.NewGuid(), DueAt = DateTimeOffset.UtcNow.AddSeconds(1) };

                await scope.ServiceProvider.GetRequiredService<IMessageScheduler>().ScheduleSend(new Uri($"queue:{TestEndpoints.Queue}"), ping.DueAt.UtcDateTime, ping);

                var arrival = await Deadline.UntilAsync(() => Task.FromResult(arrivals.FirstOf(ping.Id)), TimeSpan.FromSeconds(10), "the delayed ping");
                Assert.True(arrival.Lateness >= TimeSpan.Zero && arrival.Lateness < TimeSpan.FromSeconds(1), $"lateness {arrival.Lateness.TotalMilliseconds:0.0} ms");
            }
        }
        finally
        {
            await host.StopAsync();
        }
    }
}

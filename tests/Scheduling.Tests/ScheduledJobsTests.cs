using BookMyShow.TestInfrastructure;
using Xunit.Abstractions;

namespace BookMyShow.Scheduling.Tests;

/// <summary>
/// The workers' Quartz scheduler on real PostgreSQL (clustered job store) and RabbitMQ: each test has its own database
/// and virtual host, and runs one or two in-process nodes with the production wiring.
/// </summary>
public sealed class ScheduledJobsTests(ITestOutputHelper output) : IAsyncLifetime
{
    readonly List<SchedulingNode> _nodes = [];
    string _postgres = null!;
    Uri _rabbitMq = null!;

    public async Task InitializeAsync()
    {
        var services = await TestServices.Shared;
        _postgres = await services.CreateDatabaseAsync("scheduling");
        _rabbitMq = await services.CreateVirtualHostAsync("scheduling");
        await QuartzStore.CreateBookingSchemaAsync(_postgres);
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
    }

    async Task<SchedulingNode> StartNodeAsync(string name, IReadOnlyDictionary<string, string?> settings)
    {
        var node = await SchedulingNode.StartAsync(name, _postgres, _rabbitMq, output, settings);
        _nodes.Add(node);
        return node;
    }

    [Fact]
    public async Task First_expiry_sweep_runs_soon_after_the_start_not_a_whole_interval_later()
    {
        var a = await StartNodeAsync("a", new Dictionary<string, string?> { ["Holds:SweepInterval"] = "00:30:00" });

        await Deadline.UntilAsync(() => QuartzStore.SweepHasFiredAsync(_postgres), TimeSpan.FromSeconds(15), "the first sweep (Holds:FirstSweepAfter, 2 s)");
        Assert.Equal(0, a.Errors);
    }

    [Fact]
    public async Task Expiry_sweep_runs_on_the_clustered_scheduler_of_two_workers()
    {
        var settings = new Dictionary<string, string?> { ["Holds:SweepInterval"] = "00:00:01" };
        var a = await StartNodeAsync("a", settings);
        var b = await StartNodeAsync("b", settings);

        await Deadline.UntilAsync(() => QuartzStore.SweepHasFiredAsync(_postgres), TimeSpan.FromSeconds(10), "the expiry sweep to run");
        Assert.Equal(0, a.Errors + b.Errors);
    }
}

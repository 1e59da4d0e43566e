using System.Diagnostics;
using System.Globalization;
using BookMyShow.TestInfrastructure;
using Xunit.Abstractions;

namespace BookMyShow.Scheduling.Tests;

/// <summary>
/// The Quartz-backed MassTransit scheduler on real RabbitMQ and PostgreSQL: each test has its own database and
/// virtual host, and runs one or two in-process nodes with the production wiring.
/// </summary>
public sealed class MessageSchedulerTests(ITestOutputHelper output) : IAsyncLifetime
{
    static readonly TimeSpan OnTime = TimeSpan.FromSeconds(1);
    readonly Arrivals _arrivals = new();
    readonly List<SchedulingNode> _nodes = [];
    string _postgres = null!;
    Uri _rabbitMq = null!;

    public async Task InitializeAsync()
    {
        var services = await TestServices.Shared;
        _postgres = await services.CreateDatabaseAsync("scheduling");
        _rabbitMq = await services.CreateVirtualHostAsync("scheduling");
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
    }

    async Task<SchedulingNode> StartNodeAsync(string name, bool hostsTestEndpoint = true, int testConcurrency = 64, Action<SendTap>? tap = null,
        IReadOnlyDictionary<string, string?>? settings = null, bool withSweep = false)
    {
        var node = await SchedulingNode.StartAsync(name, _postgres, _rabbitMq, _arrivals, output, hostsTestEndpoint, testConcurrency, tap, settings, withSweep);
        _nodes.Add(node);
        return node;
    }

    static ScheduledPing Ping(DateTimeOffset dueAt, string label = "") => new() { Id = Guid.NewGuid(), DueAt = dueAt, Label = label };

    Task<Arrival> ArrivalOf(Guid id, TimeSpan timeout, string what) =>
        Deadline.UntilAsync(() => Task.FromResult(_arrivals.FirstOf(id)), timeout, what);

    Task StoredAsync(Guid tokenId, string what) =>
        Deadline.UntilAsync(async () => await QuartzStore.StoredAsync(_postgres, tokenId) == 1, TimeSpan.FromSeconds(10), what);

    [Fact]
    public async Task Message_scheduled_two_seconds_ahead_arrives_at_its_time_and_not_before()
    {
        var node = await StartNodeAsync("node");
        var ping = Ping(DateTimeOffset.UtcNow.AddSeconds(2));

        await node.ScheduleAsync(ping);

        var arrival = await ArrivalOf(ping.Id, TimeSpan.FromSeconds(10), "the scheduled ping");
        output.WriteLine($"lateness {arrival.Lateness.TotalMilliseconds:0.0} ms");
        Assert.True(arrival.Lateness >= TimeSpan.Zero, $"arrived {-arrival.Lateness.TotalMilliseconds:0.0} ms early");
        Assert.True(arrival.Lateness < OnTime, $"arrived {arrival.Lateness.TotalMilliseconds:0.0} ms late");
        Assert.Single(_arrivals.Of(ping.Id));
    }

    [Fact]
    public async Task Message_scheduled_from_a_consumer_keeps_its_ids_and_headers_and_carries_its_scheduling_token()
    {
        var node = await StartNodeAsync("node");
        var conversationId = Guid.NewGuid();
        var timer = new StartTimer { Id = Guid.NewGuid(), DueAt = DateTimeOffset.UtcNow.AddSeconds(1.5), Scenario = "saga-like" };

        await node.SendAsync(timer, send => send.ConversationId = conversationId);

        var arrival = await ArrivalOf(timer.Id, TimeSpan.FromSeconds(10), "the ping scheduled by the consumer");
        Assert.True(arrival.Lateness >= TimeSpan.Zero && arrival.Lateness < OnTime, $"lateness {arrival.Lateness.TotalMilliseconds:0.0} ms");
        Assert.Equal("from-consumer", arrival.Label);
        Assert.Equal("saga-like", arrival.Scenario);
        Assert.Equal(timer.Id, arrival.CorrelationId);
        Assert.Equal(conversationId, arrival.ConversationId);
        // What a saga compares with the token it stored, to ignore a schedule it has replaced or cancelled.
        Assert.Equal(_arrivals.TokenOf(timer.Id), arrival.SchedulingTokenId);
        Assert.NotNull(arrival.SchedulingTokenId);
    }

    [Fact]
    public async Task Cancelled_schedule_never_arrives_while_a_later_one_does()
    {
        var node = await StartNodeAsync("node");
        var now = DateTimeOffset.UtcNow;
        // Due within Scheduler:FireAhead, so already fired and waiting when cancelled; a cancel must reach the
        // scheduler more than half a second before the time (ScheduledMessageJob), and this one has seconds.
        var cancelled = Ping(now.AddSeconds(4), "cancelled");
        var marker = Ping(now.AddSeconds(4.5), "marker");
        // Not fired yet when cancelled.
        var cancelledEarly = Ping(now.AddMinutes(5), "cancelled long before its time");
        var cancelledToken = await node.ScheduleAsync(cancelled);
        var cancelledEarlyToken = await node.ScheduleAsync(cancelledEarly);
        await node.ScheduleAsync(marker);
        // Cancel what is stored: a cancel that overtook its own ScheduleMessage on the queue would find nothing (see
        // CancelScheduledMessageConsumer), which is not this scenario.
        await StoredAsync(cancelledToken, "the first schedule to be stored");
        await StoredAsync(cancelledEarlyToken, "the far schedule to be stored");

        await node.CancelAsync(cancelledToken);
        await node.CancelAsync(cancelledEarlyToken);

        await ArrivalOf(marker.Id, TimeSpan.FromSeconds(15), "the marker scheduled after the cancelled one");
        Assert.Empty(_arrivals.Of(cancelled.Id));
        Assert.Equal(0, await QuartzStore.StoredAsync(_postgres, cancelledToken));
        Assert.Equal(0, await QuartzStore.StoredAsync(_postgres, cancelledEarlyToken));
    }

    [Fact]
    public async Task Scheduled_messages_survive_a_restart_of_every_process()
    {
        var first = await StartNodeAsync("before-restart");
        var now = DateTimeOffset.UtcNow;
        var dueWhileDown = Ping(now.AddSeconds(1.5), "due while down");
        var dueAfterRestart = Ping(now.AddSeconds(8), "due after restart");
        var tokens = new[] { await first.ScheduleAsync(dueWhileDown), await first.ScheduleAsync(dueAfterRestart) };
        foreach (var token in tokens) await StoredAsync(token, "the schedules to be stored before the stop");

        await first.StopAsync();
        await Deadline.UntilAsync(() => DateTimeOffset.UtcNow > dueWhileDown.DueAt, TimeSpan.FromSeconds(10), "the first due time to pass with no scheduler running");
        Assert.Empty(_arrivals.All);
        await StartNodeAsync("after-restart");

        var late = await ArrivalOf(dueWhileDown.Id, TimeSpan.FromSeconds(20), "the message that fell due while every process was down");
        var onTime = await ArrivalOf(dueAfterRestart.Id, TimeSpan.FromSeconds(20), "the message due after the restart");
        output.WriteLine($"due while down: {late.Lateness.TotalMilliseconds:0} ms late; due after restart: {onTime.Lateness.TotalMilliseconds:0.0} ms late");
        Assert.Equal("after-restart", late.Node);
        Assert.True(onTime.Lateness >= TimeSpan.Zero && onTime.Lateness < OnTime, $"lateness {onTime.Lateness.TotalMilliseconds:0.0} ms");
        Assert.Single(_arrivals.Of(dueWhileDown.Id));
        Assert.Single(_arrivals.Of(dueAfterRestart.Id));
    }

    [Fact]
    public async Task Thousand_messages_due_at_the_same_moment_all_arrive_within_a_second_and_none_early()
    {
        const int count = 1000;
        var node = await StartNodeAsync("node");
        var due = DateTimeOffset.UtcNow.AddSeconds(15);
        var pings = Enumerable.Range(0, count).Select(i => Ping(due, i.ToString(CultureInfo.InvariantCulture))).ToList();

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(pings.Select(node.ScheduleAsync));
        var sent = clock.Elapsed;
        await Deadline.UntilAsync(async () => await QuartzStore.CountAsync(_postgres, "triggers") == count, TimeSpan.FromSeconds(30), "all triggers to be stored");
        var stored = clock.Elapsed;
        output.WriteLine($"{count} ScheduleMessages confirmed in {sent.TotalMilliseconds:0} ms, all stored after {stored.TotalMilliseconds:0} ms");
        // Stored before the scheduler fires them ahead (Scheduler:FireAhead, 5 s): otherwise this measures a backlog.
        Assert.True(DateTimeOffset.UtcNow < due.AddSeconds(-5), "the schedules were not all stored 5 s before their time; the measurement would not be fair");

        await Deadline.UntilAsync(() => _arrivals.All.Count >= count, due - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20), $"{count} arrivals");

        var arrivals = _arrivals.All;
        Assert.Equal(count, arrivals.Count);
        Assert.Equal(count, arrivals.Select(a => a.Id).Distinct().Count());
        var lateness = arrivals.Select(a => a.Lateness.TotalMilliseconds).Order().ToArray();
        double Percentile(double p) => lateness[Math.Min(lateness.Length - 1, (int)Math.Ceiling(p * lateness.Length) - 1)];
        output.WriteLine($"lateness of {count} messages due at the same moment: min {lateness[0]:0.0} ms, p50 {Percentile(0.50):0.0} ms, " +
                         $"p90 {Percentile(0.90):0.0} ms, p99 {Percentile(0.99):0.0} ms, max {lateness[^1]:0.0} ms");
        var sends = node.Sends.AttemptTimes.Select(t => (t - due).TotalMilliseconds).Order().ToArray();
        output.WriteLine($"the scheduler began the sends at: min {sends[0]:0.0} ms, p50 {sends[sends.Length / 2]:0.0} ms, max {sends[^1]:0.0} ms after the time");
        Assert.True(lateness[0] >= 0, $"a message arrived {-lateness[0]:0.0} ms early");
        Assert.True(Percentile(0.99) < OnTime.TotalMilliseconds, $"p99 lateness {Percentile(0.99):0.0} ms");
    }

    [Fact]
    public async Task Two_clustered_nodes_deliver_each_message_exactly_once()
    {
        const int count = 300;
        // One consumer of the test queue, one message at a time: a fence sent after everything is consumed after
        // anything queued before it, duplicates included.
        // Small rounds, so that both schedulers take part in firing.
        var settings = new Dictionary<string, string?> { ["Scheduler:BatchSize"] = "5" };
        var a = await StartNodeAsync("a", testConcurrency: 1, settings: settings);
        var b = await StartNodeAsync("b", hostsTestEndpoint: false, settings: settings);
        var start = DateTimeOffset.UtcNow.AddSeconds(6);
        var pings = Enumerable.Range(0, count).Select(i => Ping(start.AddMilliseconds(i * 10), i.ToString(CultureInfo.InvariantCulture))).ToList();

        // Each node's IMessageScheduler schedules half; both nodes' consumers store them, both schedulers fire them.
        await Task.WhenAll(pings.Select((p, i) => (i % 2 == 0 ? a : b).ScheduleAsync(p)));
        await Deadline.UntilAsync(() => _arrivals.All.Count >= count, TimeSpan.FromSeconds(30), $"{count} arrivals");
        await Deadline.UntilAsync(async () => await QuartzStore.CountAsync(_postgres, "triggers") == 0 && await QuartzStore.CountAsync(_postgres, "fired") == 0,
            TimeSpan.FromSeconds(10), "every trigger to complete");
        var fence = Ping(DateTimeOffset.UtcNow, "fence");
        await a.SendAsync(fence);
        await ArrivalOf(fence.Id, TimeSpan.FromSeconds(10), "the fence");

        var arrivals = _arrivals.All.Where(x => x.Id != fence.Id).ToList();
        output.WriteLine($"node a sent {a.Sends.Attempts}, node b sent {b.Sends.Attempts}; max lateness {arrivals.Max(x => x.Lateness.TotalMilliseconds):0.0} ms");
        Assert.Equal(count, arrivals.Count);
        Assert.All(pings, p => Assert.Single(arrivals, x => x.Id == p.Id));
        Assert.Equal(count, a.Sends.Attempts + b.Sends.Attempts);
        Assert.All(arrivals, x => Assert.True(x.Lateness >= TimeSpan.Zero, $"{x.Label} arrived {-x.Lateness.TotalMilliseconds:0.0} ms early"));
    }

    [Fact]
    public async Task Send_that_fails_is_retried_until_the_message_is_delivered()
    {
        var node = await StartNodeAsync("node", tap: t => t.FailNext(2));
        var ping = Ping(DateTimeOffset.UtcNow.AddSeconds(1));
        var token = await node.ScheduleAsync(ping);

        var arrival = await ArrivalOf(ping.Id, TimeSpan.FromSeconds(20), "the ping whose first two sends failed");

        output.WriteLine($"delivered {arrival.Lateness.TotalMilliseconds:0} ms after its time, on attempt {node.Sends.Attempts}");
        Assert.Equal(3, node.Sends.Attempts);
        Assert.True(arrival.Lateness >= TimeSpan.FromSeconds(3), "two retries wait 1 s and 2 s");
        await Deadline.UntilAsync(async () => await QuartzStore.StoredAsync(_postgres, token) == 0, TimeSpan.FromSeconds(5), "the trigger to be removed after the send");
        Assert.Single(_arrivals.Of(ping.Id));
    }

    [Fact]
    public async Task First_expiry_sweep_runs_soon_after_the_start_not_a_whole_interval_later()
    {
        await QuartzStore.CreateBookingSchemaAsync(_postgres);
        var a = await StartNodeAsync("a", hostsTestEndpoint: false, settings: new Dictionary<string, string?> { ["Holds:SweepInterval"] = "00:30:00" }, withSweep: true);

        await Deadline.UntilAsync(() => QuartzStore.SweepHasFiredAsync(_postgres), TimeSpan.FromSeconds(15), "the first sweep (Holds:FirstSweepAfter, 2 s)");
        Assert.Equal(0, a.Errors);
    }

    [Fact]
    public async Task Expiry_sweep_runs_on_the_one_clustered_scheduler_beside_the_scheduled_messages()
    {
        await QuartzStore.CreateBookingSchemaAsync(_postgres);
        var settings = new Dictionary<string, string?> { ["Holds:SweepInterval"] = "00:00:01" };
        var a = await StartNodeAsync("a", settings: settings, withSweep: true);
        var b = await StartNodeAsync("b", hostsTestEndpoint: false, settings: settings, withSweep: true);
        var ping = Ping(DateTimeOffset.UtcNow.AddSeconds(2));

        await a.ScheduleAsync(ping);

        await ArrivalOf(ping.Id, TimeSpan.FromSeconds(10), "the scheduled ping");
        await Deadline.UntilAsync(() => QuartzStore.SweepHasFiredAsync(_postgres), TimeSpan.FromSeconds(10), "the expiry sweep to run");
        Assert.Equal(0, a.Errors + b.Errors);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Messaging;
using BookMyShow.Core.Outbox;
using BookMyShow.Core.Persistence;
using BookMyShow.TestInfrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace BookMyShow.Workers.Tests.Outbox;

/// <summary>
/// The outbox dispatcher between a real PostgreSQL database and a real RabbitMQ, each test with a database and a
/// virtual host of its own. Every test endpoint takes one message at a time, so a fence sent after the dispatch is
/// consumed after every copy the dispatcher sent before it.
/// </summary>
public sealed class OutboxDispatcherTests(ITestOutputHelper output) : IAsyncLifetime
{
    const string SubscriberQueue = "outbox-subscriber";
    const string SendQueue = "outbox-send-target";
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    static readonly Uri SendAddress = new($"exchange:{SendQueue}");

    readonly ConcurrentQueue<Delivery<HoldPlaced>> _published = new();
    readonly ConcurrentQueue<Delivery<HoldPlaced>> _sent = new();
    readonly ConcurrentQueue<Delivery<ProtectHoldForPayment>> _reminders = new();
    readonly List<IDisposable> _disposables = [];
    ServiceProvider _provider = null!;
    Uri _rabbitMq = null!;
    IBusControl? _bus;

    /// <summary>A message to schedule: any contract will do, the scheduler carries it as it is.</summary>

    sealed record Delivery<T>(Guid? MessageId, T Message, Uri? DestinationAddress, Guid? SchedulingTokenId, long ReceivedAt);

    public async Task InitializeAsync()
    {
        var services = await TestServices.Shared;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(await services.CreateDatabaseSettingsAsync("outbox")).Build();
        _rabbitMq = await services.CreateVirtualHostAsync("outbox");
        var collection = new ServiceCollection();
        collection.AddBookingDatabase(configuration);
        _provider = collection.BuildServiceProvider(validateScopes: true);
        await using var db = await Contexts.CreateDbContextAsync();
        await db.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync()
    {
        if (_bus is not null) await _bus.StopAsync();
        foreach (var disposable in _disposables) disposable.Dispose();
        await _provider.DisposeAsync();
    }

    IDbContextFactory<BookingDbContext> Contexts => _provider.GetRequiredService<IDbContextFactory<BookingDbContext>>();

    static Delivery<T> Received<T>(ConsumeContext<T> context) where T : class =>
        new(context.MessageId, context.Message, context.DestinationAddress,
            context.Headers.Get<Guid>(MessageHeaders.SchedulingTokenId), Stopwatch.GetTimestamp());

    /// <summary>
    /// A bus with a subscriber of <see cref="HoldPlaced"/>, a queue that receives only what is sent to it, and a stand-in
    /// for the scheduler that records what reaches <c>exchange:scheduler</c>.
    /// </summary>
    async Task<IBusControl> StartRabbitMqBusAsync()
    {
        var broker = BrokerAddress.Parse(_rabbitMq.AbsoluteUri);
        _bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(broker.Host, broker.Port, broker.VirtualHost, h =>
            {
                h.Username(broker.Username);
                h.Password(broker.Password);
                h.PublisherConfirmation = true;
            });
            cfg.ReceiveEndpoint(SubscriberQueue, e =>
            {
                e.PrefetchCount = 100;
                e.ConcurrentMessageLimit = 1;
                e.Handler<HoldPlaced>(c =>
                {
                    _published.Enqueue(Received(c));
                    return Task.CompletedTask;
                });
            });
            cfg.ReceiveEndpoint(SendQueue, e =>
            {
                e.ConfigureConsumeTopology = false;
                e.ConcurrentMessageLimit = 1;
                e.Handler<HoldPlaced>(c =>
                {
                    _sent.Enqueue(Received(c));
                    return Task.CompletedTask;
                });
            });
        });
        using var start = new CancellationTokenSource(Patience);
        await _bus.StartAsync(start.Token);
        return _bus;
    }

    OutboxDispatcher Dispatcher(int batchSize = 200)
    {
        var signal = new OutboxSignal();
        _disposables.Add(signal);
        var dispatcher = new OutboxDispatcher(Contexts, _bus!, signal, Options.Create(new OutboxOptions { BatchSize = batchSize }),
            TimeProvider.System, NullLogger<OutboxDispatcher>.Instance);
        _disposables.Add(dispatcher);
        return dispatcher;
    }

    static HoldPlaced Held(string holdId) => new()
    {
        RequestId = $"r_{holdId}",
        HoldId = holdId,
        ShowId = "s_1",
        UserId = "u_1",
        SeatIds = ["A1", "A2"],
        TotalPrice = 500m,
        Currency = "INR",
        ExpiresAt = new DateTimeOffset(2030, 1, 1, 12, 10, 0, TimeSpan.Zero),
        DecidedAt = new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero),
    };

    async Task WriteAsync(Action<BookingDbContext> write)
    {
        await using var db = await Contexts.CreateDbContextAsync();
        write(db);
        await db.SaveChangesAsync();
    }

    async Task<List<OutboxMessage>> RowsAsync()
    {
        await using var db = await Contexts.CreateDbContextAsync();
        return await db.Outbox.AsNoTracking().OrderBy(o => o.Id).ToListAsync();
    }

    async Task<int> RowCountAsync(CancellationToken ct = default)
    {
        await using var db = await Contexts.CreateDbContextAsync(ct);
        return await db.Outbox.CountAsync(ct);
    }

    /// <summary>Publishes a fence to the subscriber and sends one to the send queue, and waits for both.</summary>
    async Task<(Guid Published, Guid Sent)> FenceAsync()
    {
        var published = NewId.NextGuid();
        var sent = NewId.NextGuid();
        var bus = _bus!;
        await bus.Publish(Held("fence"), c => c.MessageId = published);
        var endpoint = await bus.GetSendEndpoint(SendAddress);
        await endpoint.Send(Held("fence"), c => c.MessageId = sent);
        await Deadline.UntilAsync(() => _published.Any(d => d.MessageId == published) && _sent.Any(d => d.MessageId == sent),
            Patience, "the fences sent after the dispatch");
        return (published, sent);
    }

    [Fact]
    public async Task Three_dispatchers_running_at_once_send_each_of_600_rows_exactly_once()
    {
        const int count = 600;
        await StartRabbitMqBusAsync();
        var now = DateTime.UtcNow;
        await WriteAsync(db =>
        {
            for (var i = 0; i < count; i++) db.Publish(Held($"h_{i}"), now);
        });
        var written = (await RowsAsync()).Select(r => r.MessageId).ToList();
        Assert.Equal(count, written.Distinct().Count());

        var dispatchers = Enumerable.Range(0, 3).Select(_ => Dispatcher(batchSize: 50)).ToList();
        var batches = new ConcurrentQueue<(int Dispatcher, int Rows)>();
        using var timeout = new CancellationTokenSource(Patience);
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var loops = dispatchers.Select((dispatcher, n) => Task.Run(async () =>
        {
            await go.Task;
            // A dispatcher that finds every remaining row claimed by the others gets an empty batch and tries again.
            while (await RowCountAsync(timeout.Token) > 0)
            {
                var rows = await dispatcher.DispatchBatchAsync(timeout.Token);
                if (rows > 0) batches.Enqueue((n, rows));
            }
        })).ToList();
        go.SetResult();
        await Task.WhenAll(loops);
        var (fence, _) = await FenceAsync();
        output.WriteLine("rows per dispatcher: " + string.Join(", ", batches.GroupBy(b => b.Dispatcher).OrderBy(g => g.Key).Select(g => $"#{g.Key} {g.Sum(b => b.Rows)} in {g.Count()} batches")));

        var received = _published.Where(d => d.MessageId != fence).Select(d => d.MessageId!.Value).ToList();
        var duplicates = received.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => $"{g.Key} x{g.Count()}").ToList();
        Assert.True(duplicates.Count == 0, $"{duplicates.Count} rows were sent more than once: {string.Join(", ", duplicates.Take(5))}");
        Assert.Equal(written.Order(), received.Order());
        Assert.Equal(0, await RowCountAsync());
        Assert.Equal(count, batches.Sum(b => b.Rows));
        // Otherwise one dispatcher did all the work and nothing was tested about running several at once.
        Assert.True(batches.Select(b => b.Dispatcher).Distinct().Count() >= 2, "only one dispatcher claimed rows");
    }

    [Fact]
    public async Task Row_committed_while_the_dispatcher_runs_is_received_within_a_second()
    {
        await StartRabbitMqBusAsync();
        var dispatcher = Dispatcher();
        await dispatcher.StartAsync(CancellationToken.None);
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var messageId = NewId.NextGuid();
                await WriteAsync(db => db.Publish(Held($"h_{i}"), DateTime.UtcNow, messageId));
                var committed = Stopwatch.GetTimestamp();

                var delivery = await Deadline.UntilAsync(() => Task.FromResult(_published.FirstOrDefault(d => d.MessageId == messageId)),
                    Patience, $"row {i} to be received");

                var latency = Stopwatch.GetElapsedTime(committed, delivery.ReceivedAt);
                output.WriteLine($"row {i}: received {latency.TotalMilliseconds:0.0} ms after its commit");
                Assert.True(latency < TimeSpan.FromSeconds(1), $"row {i} was received {latency.TotalMilliseconds:0} ms after its commit");
            }
            await Deadline.UntilAsync(async () => await RowCountAsync() == 0, Patience, "the dispatched rows to be deleted");
        }
        finally
        {
            await dispatcher.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_row_its_writer_sends_itself_is_left_alone_until_its_dispatch_after_then_sent_as_an_orphan()
    {
        await StartRabbitMqBusAsync();
        var now = DateTime.UtcNow;
        await WriteAsync(db =>
        {
            db.Outbox.Add(OutboxWriter.Row(NewId.NextGuid(), Held("h_own"), typeof(HoldPlaced), null, now, dispatchAfter: now.AddMinutes(1)));
            db.Outbox.Add(OutboxWriter.Row(NewId.NextGuid(), Held("h_orphan"), typeof(HoldPlaced), null, now.AddSeconds(-20), dispatchAfter: now.AddSeconds(-10)));
        });

        Assert.Equal(1, await Dispatcher().DispatchBatchAsync(CancellationToken.None));
        var (publishedFence, _) = await FenceAsync();

        Assert.Equal(["h_orphan"], _published.Where(d => d.MessageId != publishedFence).Select(d => d.Message.HoldId));
        Assert.Contains("h_own", Assert.Single(await RowsAsync()).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_row_reaches_only_its_destination_and_publish_rows_their_subscribers_each_with_the_row_message_id()
    {
        await StartRabbitMqBusAsync();
        var derived = OutboxWriter.DerivedMessageId(NewId.NextGuid(), "held");
        var now = DateTime.UtcNow;
        await WriteAsync(db =>
        {
            db.Send(Held("h_sent"), SendAddress, now);
            db.Publish(Held("h_published"), now);
            db.Publish(Held("h_derived"), now, derived);
        });
        var rows = await RowsAsync();
        var sendRow = Assert.Single(rows, r => r.Destination is not null);
        var publishRow = Assert.Single(rows, r => r.Destination is null && r.MessageId != derived);
        Assert.Single(rows, r => r.MessageId == derived);

        Assert.Equal(3, await Dispatcher().DispatchBatchAsync(CancellationToken.None));
        var (publishedFence, sentFence) = await FenceAsync();

        var sent = Assert.Single(_sent, d => d.MessageId != sentFence);
        Assert.Equal(sendRow.MessageId, sent.MessageId);
        Assert.Equal("h_sent", sent.Message.HoldId);
        Assert.Equal(SendQueue, sent.DestinationAddress?.AbsolutePath.Split('/')[^1]);
        var published = _published.Where(d => d.MessageId != publishedFence).OrderBy(d => d.Message.HoldId, StringComparer.Ordinal).ToList();
        Assert.Equal(["h_derived", "h_published"], published.Select(d => d.Message.HoldId));
        Assert.Equal(derived, published[0].MessageId);
        Assert.Equal(publishRow.MessageId, published[1].MessageId);
        var message = published[1].Message;
        Assert.Equal(["A1", "A2"], message.SeatIds);
        Assert.Equal(500m, message.TotalPrice);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 12, 10, 0, TimeSpan.Zero), message.ExpiresAt);
        Assert.Equal(0, await RowCountAsync());
    }

    [Fact]
    public async Task Row_of_an_unknown_message_type_stays_in_the_table_and_the_others_go_out()
    {
        await StartRabbitMqBusAsync();
        var now = DateTime.UtcNow;
        await WriteAsync(db =>
        {
            db.Outbox.Add(new OutboxMessage { MessageId = NewId.NextGuid(), MessageType = "BookMyShow.Contracts.Gone", Body = "{}", CreatedAt = now });
            db.Publish(Held("h_after_unknown"), now);
        });

        await Dispatcher().DispatchBatchAsync(CancellationToken.None);
        await Deadline.UntilAsync(() => _published.Any(d => d.Message.HoldId == "h_after_unknown"), Patience, "the known message");

        var left = Assert.Single(await RowsAsync());
        Assert.Equal("BookMyShow.Contracts.Gone", left.MessageType);
        Assert.NotNull(left.ParkedAt);
    }

    [Fact]
    public async Task A_full_batch_of_unknown_types_is_parked_and_does_not_block_the_rows_after_it()
    {
        await StartRabbitMqBusAsync();
        var now = DateTime.UtcNow;
        await WriteAsync(db =>
        {
            db.Outbox.Add(new OutboxMessage { MessageId = NewId.NextGuid(), MessageType = "BookMyShow.Contracts.Gone", Body = "{}", CreatedAt = now });
            db.Outbox.Add(new OutboxMessage { MessageId = NewId.NextGuid(), MessageType = "BookMyShow.Contracts.AlsoGone", Body = "{}", CreatedAt = now });
            db.Publish(Held("h_behind_unknowns"), now);
        });
        var dispatcher = Dispatcher(batchSize: 2);

        Assert.Equal(2, await dispatcher.DispatchBatchAsync(CancellationToken.None));
        Assert.Equal(1, await dispatcher.DispatchBatchAsync(CancellationToken.None));
        await Deadline.UntilAsync(() => _published.Any(d => d.Message.HoldId == "h_behind_unknowns"), Patience, "the message behind the unknown ones");
        Assert.Equal(0, await dispatcher.DispatchBatchAsync(CancellationToken.None));
        Assert.All(await RowsAsync(), r => Assert.NotNull(r.ParkedAt));
    }

    [Fact]
    public void Derived_message_id_is_stable_and_differs_by_purpose_and_by_message()
    {
        var consumed = Guid.Parse("0b7f6c1e-4d0a-4e8b-9a51-3c2d1e0f9a87");
        var other = Guid.Parse("0b7f6c1e-4d0a-4e8b-9a51-3c2d1e0f9a88");

        var id = OutboxWriter.DerivedMessageId(consumed, "x");

        Assert.Equal(id, OutboxWriter.DerivedMessageId(consumed, "x"));
        Assert.NotEqual(id, OutboxWriter.DerivedMessageId(consumed, "y"));
        Assert.NotEqual(id, OutboxWriter.DerivedMessageId(other, "x"));
        Assert.NotEqual(id, OutboxWriter.DerivedMessageId(consumed, "x "));
        Assert.NotEqual(consumed, id);
        Assert.NotEqual(Guid.Empty, id);
    }

    static DateTime ToUtc(DateTime value) => value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc);
}


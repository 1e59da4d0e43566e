using System.Collections.Concurrent;
using System.Text;
using BookMyShow.Core.Messaging;
using BookMyShow.TestInfrastructure;
using BookMyShow.Workers.Operations;
using MassTransit;
using Microsoft.Extensions.Configuration;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace BookMyShow.Workers.Tests.Operations;

public sealed record TestMail
{
    public required string To { get; init; }
}

/// <summary>Counting and replaying MassTransit error queues on a real RabbitMQ, each test in a virtual host of its own.</summary>
public sealed class ErrorQueueTests : IAsyncLifetime
{
    const string Queue = "test-mail";
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    readonly ConcurrentQueue<Guid> _failed = new();
    readonly ConcurrentQueue<(Guid MessageId, string[] Headers)> _delivered = new();
    volatile bool _mailServerDown = true;
    Uri _rabbitMq = null!;
    IBusControl? _bus;

    public async Task InitializeAsync()
    {
        var services = await TestServices.Shared;
        _rabbitMq = await services.CreateVirtualHostAsync("error-queues");
    }

    public async Task DisposeAsync()
    {
        if (_bus is not null) await _bus.StopAsync();
    }

    /// <summary>A bus with the quorum queue "test-mail" whose consumer fails, without retry, while the mail server is down.</summary>
    async Task<IBusControl> StartBusAsync()
    {
        var broker = BrokerAddress.Parse(_rabbitMq.AbsoluteUri);
        _bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(broker.Host, broker.Port, broker.VirtualHost, h =>
            {
                h.Username(broker.Username);
                h.Password(broker.Password);
            });
            cfg.ReceiveEndpoint(Queue, e =>
            {
                e.SetQuorumQueue();
                e.Handler<TestMail>(context =>
                {
                    if (_mailServerDown)
                    {
                        _failed.Enqueue(context.MessageId!.Value);
                        throw new InvalidOperationException("The mail server is down.");
                    }
                    _delivered.Enqueue((context.MessageId!.Value, context.ReceiveContext.TransportHeaders.GetAll().Select(h => h.Key).ToArray()));
                    return Task.CompletedTask;
                });
            });
        });
        using var start = new CancellationTokenSource(Patience);
        await _bus.StartAsync(start.Token);
        return _bus;
    }

    async Task<uint> ErrorDepthAsync(string queue) =>
        Assert.Single(await ErrorQueues.ListAsync(_rabbitMq, [queue], CancellationToken.None)).Messages;

    [Fact]
    public async Task Failed_mails_are_counted_then_replayed_and_delivered_once_each()
    {
        var bus = await StartBusAsync();
        var sent = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
        var endpoint = await bus.GetSendEndpoint(new Uri($"exchange:{Queue}"));
        foreach (var id in sent) await endpoint.Send(new TestMail { To = $"{id}@example.com" }, ctx => ctx.MessageId = id);

        await Deadline.UntilAsync(async () => await ErrorDepthAsync(Queue) == sent.Length, Patience, "three mails in the error queue");
        Assert.Equal(sent.Order(), _failed.Order());

        _mailServerDown = false;
        var replayed = await ErrorQueues.ReplayAsync(_rabbitMq, Queue, max: null, CancellationToken.None);

        Assert.Equal(sent.Length, replayed);
        await Deadline.UntilAsync(() => _delivered.Count >= sent.Length, Patience, "the replayed mails");
        Assert.Equal(sent.Order(), _delivered.Select(d => d.MessageId).Order());
        Assert.All(_delivered, d => Assert.DoesNotContain(d.Headers, IsFaultHeader));
        Assert.Equal(0u, await ErrorDepthAsync(Queue));
    }

    [Fact]
    public async Task Replay_stops_after_max_messages_and_leaves_the_rest_waiting()
    {
        var bus = await StartBusAsync();
        var endpoint = await bus.GetSendEndpoint(new Uri($"exchange:{Queue}"));
        for (var i = 0; i < 3; i++) await endpoint.Send(new TestMail { To = $"{i}@example.com" });
        await Deadline.UntilAsync(async () => await ErrorDepthAsync(Queue) == 3, Patience, "three mails in the error queue");
        _mailServerDown = false;

        Assert.Equal(2, await ErrorQueues.ReplayAsync(_rabbitMq, Queue, max: 2, CancellationToken.None));

        await Deadline.UntilAsync(() => _delivered.Count >= 2, Patience, "the two replayed mails");
        Assert.Equal(1u, await ErrorDepthAsync(Queue));
    }

    [Fact]
    public async Task Replayed_message_keeps_its_properties_and_loses_only_the_fault_headers()
    {
        var factory = new ConnectionFactory { Uri = _rabbitMq };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        // The topology MassTransit declares for a receive endpoint: an exchange of the queue's name bound to it.
        await channel.ExchangeDeclareAsync("raw", ExchangeType.Fanout, durable: true);
        await channel.QueueDeclareAsync("raw", durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync("raw", "raw", routingKey: "");
        await channel.QueueDeclareAsync("raw_error", durable: true, exclusive: false, autoDelete: false);
        var faulted = new BasicProperties
        {
            MessageId = "m-1",
            ContentType = "application/vnd.masstransit+json",
            Persistent = true,
            Headers = new Dictionary<string, object?>
            {
                ["MT-Reason"] = "fault",
                ["MT-Fault-Message"] = "The mail server is down.",
                ["MT-Fault-ExceptionType"] = "System.InvalidOperationException",
                ["MT-Host-MachineName"] = "worker-1",
            },
        };
        await channel.BasicPublishAsync("", "raw_error", mandatory: false, faulted, Encoding.UTF8.GetBytes("{\"to\":\"a@example.com\"}"));
        await Deadline.UntilAsync(async () => await ErrorDepthAsync("raw") == 1, Patience, "the faulted message");

        Assert.Equal(1, await ErrorQueues.ReplayAsync(_rabbitMq, "raw", max: null, CancellationToken.None));

        var replayed = await channel.BasicGetAsync("raw", autoAck: true);
        Assert.NotNull(replayed);
        Assert.Equal("{\"to\":\"a@example.com\"}", Encoding.UTF8.GetString(replayed.Body.Span));
        Assert.Equal("m-1", replayed.BasicProperties.MessageId);
        Assert.Equal("application/vnd.masstransit+json", replayed.BasicProperties.ContentType);
        Assert.True(replayed.BasicProperties.Persistent);
        var headers = replayed.BasicProperties.Headers!;
        Assert.Equal("worker-1", Encoding.UTF8.GetString((byte[])headers["MT-Host-MachineName"]!));
        Assert.DoesNotContain(headers.Keys, IsFaultHeader);
        Assert.Equal(0u, await ErrorDepthAsync("raw"));
    }

    [Fact]
    public async Task Message_that_cannot_be_routed_back_stays_in_the_error_queue()
    {
        var factory = new ConnectionFactory { Uri = _rabbitMq };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            // The exchange exists but its queue is gone: the broker returns the copy instead of confirming it.
            await channel.ExchangeDeclareAsync("orphan", ExchangeType.Fanout, durable: true);
            await channel.QueueDeclareAsync("orphan_error", durable: true, exclusive: false, autoDelete: false);
            await channel.BasicPublishAsync("", "orphan_error", Encoding.UTF8.GetBytes("{}"));
        }
        await Deadline.UntilAsync(async () => await ErrorDepthAsync("orphan") == 1, Patience, "the waiting message");

        await Assert.ThrowsAsync<PublishReturnException>(() => ErrorQueues.ReplayAsync(_rabbitMq, "orphan", max: null, CancellationToken.None));

        await Deadline.UntilAsync(async () => await ErrorDepthAsync("orphan") == 1, Patience, "the message back in the error queue");
    }

    [Fact]
    public async Task Missing_or_empty_error_queue_counts_zero_and_replays_nothing()
    {
        var factory = new ConnectionFactory { Uri = _rabbitMq };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync("empty_error", durable: true, exclusive: false, autoDelete: false);
        }

        var depths = await ErrorQueues.ListAsync(_rabbitMq, ["missing", "empty"], CancellationToken.None);

        Assert.Equal([new ErrorQueueDepth("missing", "missing_error", 0), new ErrorQueueDepth("empty", "empty_error", 0)], depths);
        Assert.Equal(0, await ErrorQueues.ReplayAsync(_rabbitMq, "missing", max: null, CancellationToken.None));
        Assert.Equal(0, await ErrorQueues.ReplayAsync(_rabbitMq, "empty", max: 10, CancellationToken.None));
    }

    [Theory]
    [InlineData("")]
    [InlineData("test mail")]
    [InlineData("test/mail")]
    [InlineData("test-mail_error;rm")]
    public async Task Invalid_queue_name_is_refused_before_touching_the_broker(string queue)
    {
        var replay = await Assert.ThrowsAsync<ArgumentException>(() => ErrorQueues.ReplayAsync(_rabbitMq, queue, null, CancellationToken.None));
        Assert.Contains("is not a queue name", replay.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => ErrorQueues.ListAsync(_rabbitMq, ["payments", queue], CancellationToken.None));
    }

    [Fact]
    public async Task Queue_name_longer_than_200_characters_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => ErrorQueues.ReplayAsync(_rabbitMq, new string('q', 201), null, CancellationToken.None));
    }

    [Fact]
    public async Task Command_uses_the_configured_broker_and_ignores_other_arguments()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:RabbitMq"] = _rabbitMq.AbsoluteUri,
        }).Build();
        var factory = new ConnectionFactory { Uri = _rabbitMq };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            // One waiting message in this virtual host only: seeing it proves the command connected to the right one.
            await channel.QueueDeclareAsync("cmd-mail_error", durable: true, exclusive: false, autoDelete: false);
            await channel.BasicPublishAsync("", "cmd-mail_error", Encoding.UTF8.GetBytes("{}"));
        }
        await Deadline.UntilAsync(async () => await ErrorDepthAsync("cmd-mail") == 1, Patience, "the waiting message");

        var listed = new StringWriter();
        var replayed = new StringWriter();
        Assert.Equal(0, await ErrorQueueCommand.TryRunAsync(["--error-queues", "cmd-mail", Queue], configuration, listed));
        Assert.Equal(0, await ErrorQueueCommand.TryRunAsync(["--replay-errors", Queue], configuration, replayed));
        Assert.Equal(2, await ErrorQueueCommand.TryRunAsync(["--replay-errors", "bad name"], configuration, TextWriter.Null));
        Assert.Null(await ErrorQueueCommand.TryRunAsync([], configuration));
        Assert.Null(await ErrorQueueCommand.TryRunAsync(["--apply-schema"], configuration));

        Assert.Equal(["cmd-mail_error: 1", "test-mail_error: 0"], Lines(listed));
        Assert.Equal(["replayed 0 message(s) from test-mail_error to test-mail"], Lines(replayed));
    }

    static bool IsFaultHeader(string name) => name.StartsWith("MT-Fault-", StringComparison.Ordinal) || name == "MT-Reason";

    static string[] Lines(StringWriter writer) => writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
}

using System.Text.RegularExpressions;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace BookMyShow.Workers.Operations;

/// <summary>How many messages wait in the error queue of one receive queue (0 when the error queue does not exist).</summary>
public sealed record ErrorQueueDepth(string Queue, string ErrorQueue, uint Messages);

/// <summary>
/// Operator tools for the "&lt;queue&gt;_error" queues where MassTransit moves messages whose consumer failed after
/// its retries: count them, and move them back to their queue once the cause is fixed.
/// </summary>
public static partial class ErrorQueues
{
    /// <summary>The headers MassTransit adds when it moves a message to the error queue; the rest is the original message.</summary>
    static bool IsFaultHeader(string name) =>
        name.StartsWith("MT-Fault-", StringComparison.OrdinalIgnoreCase)
        || name.Equals("MT-Reason", StringComparison.OrdinalIgnoreCase)
        // Added by the client's own confirm tracking: a copy from an earlier replay must not clash with the new one.
        || name.Equals(Constants.PublishSequenceNumberHeader, StringComparison.Ordinal);

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]{1,200}$")]
    private static partial Regex QueueNamePattern();

    public static string ErrorQueueOf(string queue) => $"{queue}_error";

    public static async Task<IReadOnlyList<ErrorQueueDepth>> ListAsync(Uri amqpUri, IEnumerable<string> queues, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(queues);
        var names = queues.ToList();
        names.ForEach(ValidateQueueName);

        await using var connection = await ConnectAsync(amqpUri, ct);
        var depths = new List<ErrorQueueDepth>(names.Count);
        foreach (var queue in names)
        {
            var errorQueue = ErrorQueueOf(queue);
            depths.Add(new ErrorQueueDepth(queue, errorQueue, await CountAsync(connection, errorQueue, ct) ?? 0));
        }
        return depths;
    }

    /// <summary>
    /// Moves up to <paramref name="max"/> messages from "&lt;queue&gt;_error" back to <paramref name="queue"/> and returns how many.
    /// A message leaves the error queue only after the broker confirmed its copy, so a crash can duplicate a message
    /// (consumers are idempotent) but never lose one.
    /// </summary>
    public static async Task<int> ReplayAsync(Uri amqpUri, string queue, int? max, CancellationToken ct)
    {
        ValidateQueueName(queue);
        if (max is <= 0) throw new ArgumentOutOfRangeException(nameof(max), max, "The number of messages to replay must be positive.");
        var errorQueue = ErrorQueueOf(queue);

        await using var connection = await ConnectAsync(amqpUri, ct);
        if (await CountAsync(connection, errorQueue, ct) is not { } waiting || waiting == 0) return 0;
        if (!await ExchangeExistsAsync(connection, queue, ct))
        {
            throw new InvalidOperationException(
                $"There is no exchange '{queue}' to replay to: start the service that consumes '{queue}' once so that it declares its queue, then replay.");
        }

        // A message that fails again comes back to the error queue while we replay: one pass over what was waiting
        // at the start keeps a still-broken consumer from making this loop forever.
        var limit = Math.Min(max ?? int.MaxValue, waiting);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        var replayed = 0;
        while (replayed < limit && await channel.BasicGetAsync(errorQueue, autoAck: false, ct) is { } message)
        {
            try
            {
                // To the exchange named after the queue, as MassTransit sends: the default exchange would skip its
                // bindings. Mandatory, so that an exchange without its queue fails instead of dropping the message.
                await channel.BasicPublishAsync(queue, routingKey: "", mandatory: true, WithoutFaultHeaders(message.BasicProperties), message.Body, ct);
            }
            catch (Exception)
            {
                await GiveBackAsync(channel, message.DeliveryTag);
                throw;
            }
            // Not cancellable: the copy is confirmed, leaving the original behind would deliver the message twice.
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false, CancellationToken.None);
            replayed++;
        }
        return replayed;
    }

    public static void ValidateQueueName(string queue)
    {
        if (queue is null || !QueueNamePattern().IsMatch(queue))
        {
            throw new ArgumentException(
                $"'{queue}' is not a queue name: use 1 to 200 letters, digits, '_', '.' or '-' (the queue itself, without '_error').",
                nameof(queue));
        }
    }

    static async Task<IConnection> ConnectAsync(Uri amqpUri, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(amqpUri);
        // A one-shot tool: a lost connection should fail the command, not be silently recovered.
        var factory = new ConnectionFactory { Uri = amqpUri, AutomaticRecoveryEnabled = false, ClientProvidedName = "bookmyshow-error-queues" };
        return await factory.CreateConnectionAsync(ct);
    }

    /// <summary>The queue's ready messages, or null when it does not exist.</summary>
    static async Task<uint?> CountAsync(IConnection connection, string queue, CancellationToken ct)
    {
        // A failed passive declare closes its channel, so every check gets a channel of its own.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, ct)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == Constants.NotFound)
        {
            return null;
        }
    }

    static async Task<bool> ExchangeExistsAsync(IConnection connection, string exchange, CancellationToken ct)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        try
        {
            await channel.ExchangeDeclarePassiveAsync(exchange, ct);
            return true;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == Constants.NotFound)
        {
            return false;
        }
    }

    static BasicProperties WithoutFaultHeaders(IReadOnlyBasicProperties original)
    {
        var properties = new BasicProperties(original);
        if (original.Headers is { } headers)
        {
            properties.Headers = headers.Where(h => !IsFaultHeader(h.Key)).ToDictionary(h => h.Key, h => h.Value);
        }
        return properties;
    }

    static async Task GiveBackAsync(IChannel channel, ulong deliveryTag)
    {
        try
        {
            await channel.BasicNackAsync(deliveryTag, multiple: false, requeue: true, CancellationToken.None);
        }
        catch (AlreadyClosedException)
        {
            // The broker requeues every unacknowledged message of a closed channel by itself.
        }
    }
}

using System.Globalization;
using BookMyShow.Core.Messaging;
using Microsoft.Extensions.Configuration;
using RabbitMQ.Client.Exceptions;

namespace BookMyShow.Workers.Operations;

/// <summary>
/// The operator commands of the Workers executable:
/// <c>--error-queues [queue ...]</c> prints the depth of each error queue,
/// <c>--replay-errors &lt;queue&gt; [--max N]</c> moves failed messages back to their queue.
/// Both use the broker of ConnectionStrings:RabbitMq, like the service itself.
/// </summary>
public static class ErrorQueueCommand
{
    public const string ListFlag = "--error-queues";
    public const string ReplayFlag = "--replay-errors";
    public const string MaxFlag = "--max";

    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    /// <summary>The receive queues whose error queues <c>--error-queues</c> lists when given no names.</summary>
    public static IReadOnlyList<string> KnownQueues { get; } = ["notifications-email", "analytics", "booking-saga", "payments"];

    /// <summary>Runs the command named by <paramref name="args"/> and returns its exit code, or null when they name none.</summary>
    public static async Task<int?> TryRunAsync(string[] args, IConfiguration configuration, TextWriter? output = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(configuration);
        var list = Array.IndexOf(args, ListFlag);
        var replay = Array.IndexOf(args, ReplayFlag);
        if (list < 0 && replay < 0) return null;

        output ??= Console.Out;
        // Ctrl+C stops between two messages instead of killing the process mid-replay.
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            if (list >= 0 && replay >= 0) throw new ArgumentException($"Use either {ListFlag} or {ReplayFlag}, not both.");
            var broker = AmqpUriOf(configuration);
            return list >= 0
                ? await ListAsync(broker, ArgumentsAfter(args, list), output, cancel.Token)
                : await ReplayAsync(broker, args, replay, output, cancel.Token);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return Usage;
        }
        catch (Exception e) when (e is InvalidOperationException or UriFormatException or BrokerUnreachableException or OperationInterruptedException or PublishException or OperationCanceledException)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return Failed;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    static async Task<int> ListAsync(Uri broker, List<string> queues, TextWriter output, CancellationToken ct)
    {
        foreach (var depth in await ErrorQueues.ListAsync(broker, queues.Count > 0 ? queues : KnownQueues, ct))
        {
            await output.WriteLineAsync($"{depth.ErrorQueue}: {depth.Messages}");
        }
        return Ok;
    }

    static async Task<int> ReplayAsync(Uri broker, string[] args, int flag, TextWriter output, CancellationToken ct)
    {
        var operands = ArgumentsAfter(args, flag);
        if (operands.Count != 1) throw new ArgumentException($"Usage: {ReplayFlag} <queue> [{MaxFlag} N]");
        var queue = operands[0];
        int? max = null;
        var maxAt = Array.IndexOf(args, MaxFlag);
        if (maxAt >= 0)
        {
            if (maxAt + 1 >= args.Length || !int.TryParse(args[maxAt + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed <= 0)
            {
                throw new ArgumentException($"{MaxFlag} needs a positive number of messages.");
            }
            max = parsed;
        }

        var replayed = await ErrorQueues.ReplayAsync(broker, queue, max, ct);
        await output.WriteLineAsync($"replayed {replayed} message(s) from {ErrorQueues.ErrorQueueOf(queue)} to {queue}");
        return Ok;
    }

    /// <summary>The operands of a flag: the arguments after it up to the next option.</summary>
    static List<string> ArgumentsAfter(string[] args, int flag) =>
        args.Skip(flag + 1).TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();

    /// <summary>The amqp:// URI of the broker in ConnectionStrings:RabbitMq, read the way the bus reads it.</summary>
    static Uri AmqpUriOf(IConfiguration configuration)
    {
        var value = configuration.GetConnectionString("RabbitMq");
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException("ConnectionStrings:RabbitMq is not set: it names the broker whose error queues to use.");
        }
        // BrokerAddress also accepts rabbitmq:// and fills in the defaults; the client wants a plain amqp:// URI.
        var broker = BrokerAddress.Parse(value);
        return new UriBuilder("amqp", broker.Host, broker.Port)
        {
            UserName = Uri.EscapeDataString(broker.Username),
            Password = Uri.EscapeDataString(broker.Password),
            Path = broker.VirtualHost == "/" ? "/" : "/" + Uri.EscapeDataString(broker.VirtualHost),
        }.Uri;
    }
}

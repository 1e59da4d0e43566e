using System.Text;
using System.Text.Json;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace BookMyShow.EndToEnd.Tests;

/// <summary>Looks at the distributed deployment's database directly, to check what the API cannot show.</summary>
public static class Inspect
{
    public static async Task<long> ScalarAsync(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The database-level invariants of a show after a race.</summary>
    public static async Task AssertSeatInvariantsAsync(string cs, string showId)
    {
        var show = ("show", (object)showId);
        Assert.Equal(0, await ScalarAsync(cs, "SELECT count(*) FROM (SELECT 1 FROM hold_seats WHERE active GROUP BY show_id, seat_id HAVING count(*) > 1) d"));
        Assert.Equal(0, await ScalarAsync(cs, "SELECT count(*) FROM hold_requests WHERE show_id = @show AND status = 'QUEUED'", show));
        var heldSeats = await ScalarAsync(cs, "SELECT count(*) FROM show_seats WHERE show_id = @show AND status = 'HELD'", show);
        var seatsInActiveHolds = await ScalarAsync(cs, "SELECT coalesce(sum(cardinality(string_to_array(seat_ids, ','))), 0) FROM holds WHERE show_id = @show AND status = 'ACTIVE'", show);
        Assert.Equal(seatsInActiveHolds, heldSeats);
        Assert.Equal(0, await ScalarAsync(cs,
            "SELECT count(*) FROM show_seats s LEFT JOIN holds h ON h.id = s.hold_id WHERE s.show_id = @show AND s.status = 'HELD' " +
            "AND (h.id IS NULL OR h.status <> 'ACTIVE' OR NOT (s.seat_id = ANY (string_to_array(h.seat_ids, ','))))", show));
        Assert.Equal(
            await ScalarAsync(cs, "SELECT count(*) FROM hold_requests WHERE show_id = @show AND status = 'HELD'", show),
            await ScalarAsync(cs, "SELECT count(*) FROM holds WHERE show_id = @show", show));
    }
}

/// <summary>Counts the decision events published on the broker, per request id.</summary>
public sealed class DecisionTap : IAsyncDisposable
{
    readonly IConnection _connection;
    readonly IChannel _channel;
    readonly Dictionary<string, int> _counts = new();

    DecisionTap(IConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
    }

    public static async Task<DecisionTap> StartAsync(Uri broker)
    {
        var connection = await new ConnectionFactory { Uri = broker }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        var tap = new DecisionTap(connection, channel);
        var queue = (await channel.QueueDeclareAsync(queue: "", durable: false, exclusive: true, autoDelete: true)).QueueName;
        const string exchange = "BookMyShow.Contracts.Holds:HoldsDecided";
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
        await channel.QueueBindAsync(queue, exchange, "");
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(delivery.Body.Span));
            var message = doc.RootElement.GetProperty("message");
            // A partition batch's decisions come as one HoldsDecided: each one inside counts as its request's decision.
            var decisions = message.GetProperty("placed").EnumerateArray().Concat(message.GetProperty("rejected").EnumerateArray()).ToList();
            lock (tap._counts)
            {
                foreach (var decision in decisions)
                {
                    var requestId = decision.GetProperty("requestId").GetString()!;
                    tap._counts[requestId] = tap._counts.GetValueOrDefault(requestId) + 1;
                }
            }
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);
        return tap;
    }

    public Dictionary<string, int> Counts()
    {
        lock (_counts) return new Dictionary<string, int>(_counts);
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.CloseAsync();
        await _connection.CloseAsync();
        _channel.Dispose();
        _connection.Dispose();
    }
}

using System.Net;
using System.Text;
using System.Text.Json;
using BookMyShow.TestInfrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Xunit.Abstractions;

namespace BookMyShow.EndToEnd.Tests;

/// <summary>Precise expiry and warnings through the workers' hold clock and the partitions (ADR 0014) on the distributed system.</summary>
public sealed class DistributedExpiryTests(ITestOutputHelper output)
{
    // The backstop sweep is pushed out of the way: on-time expiry here can only come from the hold clock.
    static readonly Dictionary<string, string?> NoSweep = new() { ["Holds__SweepInterval"] = "00:30:00", ["Holds__FirstSweepAfter"] = "00:30:00" };

    static Dictionary<string, string?> With(params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?>(NoSweep);
        foreach (var (key, value) in settings) all[key] = value;
        return all;
    }

    [Fact]
    public async Task Thousand_holds_expire_no_earlier_than_their_time_and_p99_within_a_second()
    {
        await using var deployment = await Deployment.StartDistributedAsync(workers: 1, With(("Holds__Ttl", "00:00:15")), catalogFile: TestCatalog.FilePath);
        var token = await deployment.Api.TokenAsync("u_bulk");
        var requests = TestCatalog.BulkShows.SelectMany(show => TestCatalog.SeatIds.Select(seat => (show, seat))).ToList();
        var holds = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (r, _) =>
        {
            var (status, hold, response) = await deployment.Api.HoldAsync(r.show, token, [r.seat], new Dictionary<string, string> { ["Prefer"] = "wait=30" });
            response.Dispose();
            Assert.Equal(HttpStatusCode.Created, status);
            holds.Add(hold.GetProperty("hold_id").GetString()!);
        });
        Assert.Equal(1000, holds.Count);
        var cs = deployment.PostgresConnectionString!;

        await Deadline.UntilAsync(async () => await Inspect.ScalarAsync(cs, "SELECT count(*) FROM holds WHERE status = 'EXPIRED'") == 1000,
            TimeSpan.FromSeconds(90), "all thousand holds to expire");

        var lateness = await LatenessAsync(cs);
        var p50 = lateness[lateness.Count / 2];
        var p99 = lateness[(int)Math.Ceiling(lateness.Count * 0.99) - 1];
        output.WriteLine($"expiry lateness over {lateness.Count} holds: min {lateness[0]:0} ms, p50 {p50:0} ms, p99 {p99:0} ms, max {lateness[^1]:0} ms");
        Assert.True(lateness[0] >= 0, $"a hold was released {-lateness[0]:0} ms early");
        Assert.True(p99 <= 1000, $"p99 lateness {p99:0} ms");
        Assert.Equal(0, await Inspect.ScalarAsync(cs, "SELECT count(*) FROM show_seats WHERE status <> 'AVAILABLE'"));
    }

    static async Task<List<double>> LatenessAsync(string cs, string sql = "SELECT EXTRACT(EPOCH FROM (ended_at - expires_at)) * 1000 FROM holds WHERE status = 'EXPIRED' ORDER BY 1")
    {
        await using var connection = new Npgsql.NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        var result = new List<double>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) result.Add(Convert.ToDouble(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        return result;
    }

    [Fact]
    public async Task Expiry_survives_a_restart_of_every_process()
    {
        await using var deployment = await Deployment.StartDistributedAsync(workers: 1, With(("Holds__Ttl", "00:00:12")), catalogFile: TestCatalog.FilePath);
        var token = await deployment.Api.TokenAsync("u_restart");
        var (_, hold, response) = await deployment.Api.HoldAsync(TestCatalog.HotShow, token, ["J1", "J2"], new Dictionary<string, string> { ["Prefer"] = "wait=10" });
        response.Dispose();
        var holdId = hold.GetProperty("hold_id").GetString()!;
        var expiresAt = hold.GetProperty("expires_at").GetDateTimeOffset();
        var cs = deployment.PostgresConnectionString!;

        // The hold row is the timer: every process dies before the hold is due, and comes back.
        Assert.True(DateTimeOffset.UtcNow < expiresAt.AddSeconds(-3), "the hold is not due yet");
        deployment.Workers[0].Kill();
        await deployment.KillGatewayAsync();
        await deployment.StartWorkerAsync();
        await deployment.RestartGatewayAsync();

        await Deadline.UntilAsync(async () => await Inspect.ScalarAsync(cs, "SELECT count(*) FROM holds WHERE id = @id AND status = 'EXPIRED'", ("id", holdId)) == 1,
            TimeSpan.FromSeconds(30), "the hold to expire");
        var late = await Inspect.ScalarAsync(cs, "SELECT CAST(EXTRACT(EPOCH FROM (ended_at - expires_at)) * 1000 AS bigint) FROM holds WHERE id = @id", ("id", holdId));
        output.WriteLine($"expired {late} ms after expires_at ({expiresAt:O})");
        Assert.InRange(late, 0, 5000); // never early; a restart may cost a little precision
        var (_, after, r) = await deployment.Api.GetAsync($"/v1/holds/{holdId}", token);
        r.Dispose();
        Assert.Equal("EXPIRED", after.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Hold_expiring_warning_fires_the_configured_time_before_expiry()
    {
        await using var deployment = await Deployment.StartDistributedAsync(workers: 1, With(("Holds__Ttl", "00:00:06"), ("Bookings__ExpiringWarningBefore", "00:00:04")), catalogFile: TestCatalog.FilePath);
        await using var warnings = await WarningTap.StartAsync(deployment.RabbitMqUri!);
        var token = await deployment.Api.TokenAsync("u_warn");
        var (_, hold, response) = await deployment.Api.HoldAsync(TestCatalog.HotShow, token, ["I1"], new Dictionary<string, string> { ["Prefer"] = "wait=10" });
        response.Dispose();
        var holdId = hold.GetProperty("hold_id").GetString()!;
        var expiresAt = hold.GetProperty("expires_at").GetDateTimeOffset();

        await Deadline.UntilAsync(() => warnings.HoldIds.Contains(holdId), TimeSpan.FromSeconds(20), "the hold-expiring warning");

        var seen = warnings.FirstSeen(holdId);
        output.WriteLine($"warning {(expiresAt - seen).TotalMilliseconds:0} ms before expiry");
        Assert.InRange(seen, expiresAt.AddSeconds(-4), expiresAt.AddSeconds(-2));
    }

    /// <summary>Listens for HoldExpiring events on the broker.</summary>
    sealed class WarningTap : IAsyncDisposable
    {
        readonly IConnection _connection;
        readonly IChannel _channel;
        readonly Dictionary<string, DateTimeOffset> _seen = new();

        WarningTap(IConnection connection, IChannel channel)
        {
            _connection = connection;
            _channel = channel;
        }

        public IReadOnlyCollection<string> HoldIds
        {
            get { lock (_seen) return _seen.Keys.ToList(); }
        }

        public DateTimeOffset FirstSeen(string holdId)
        {
            lock (_seen) return _seen[holdId];
        }

        public static async Task<WarningTap> StartAsync(Uri broker)
        {
            var connection = await new ConnectionFactory { Uri = broker }.CreateConnectionAsync();
            var channel = await connection.CreateChannelAsync();
            var tap = new WarningTap(connection, channel);
            var queue = (await channel.QueueDeclareAsync(queue: "", durable: false, exclusive: true, autoDelete: true)).QueueName;
            const string exchange = "BookMyShow.Contracts.Bookings:HoldExpiring";
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
            await channel.QueueBindAsync(queue, exchange, "");
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) =>
            {
                using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(delivery.Body.Span));
                var holdId = doc.RootElement.GetProperty("message").GetProperty("holdId").GetString()!;
                lock (tap._seen) tap._seen.TryAdd(holdId, DateTimeOffset.UtcNow);
                return Task.CompletedTask;
            };
            await channel.BasicConsumeAsync(queue, autoAck: true, consumer);
            return tap;
        }

        public async ValueTask DisposeAsync()
        {
            await _channel.CloseAsync();
            await _connection.CloseAsync();
            _channel.Dispose();
            _connection.Dispose();
        }
    }
}

using Npgsql;
using RabbitMQ.Client;

namespace BookMyShow.TestInfrastructure.Tests;

/// <summary>Starts a private <see cref="TestServices"/>: stopping the shared one would break every other test class.</summary>
public sealed class PrivateServicesFixture : IAsyncLifetime
{
    public TestServices Services { get; private set; } = null!;

    public async Task InitializeAsync() => Services = await TestServices.StartAsync();

    public async Task DisposeAsync() => await Services.DisposeAsync();
}

public sealed class ServerRestartTests(PrivateServicesFixture fixture, ITestOutputHelper output)
    : IClassFixture<PrivateServicesFixture>
{
    private TestServices Services => fixture.Services;

    [Fact]
    public async Task Durable_queue_keeps_persistent_message_across_broker_restart()
    {
        output.WriteLine(Services.Description);
        if (!Services.CanControlBroker)
        {
            output.WriteLine($"Skipped: the broker ({Services.RabbitMqSource}) was not started as a local process.");
            return;
        }

        var vhost = await Services.CreateVirtualHostAsync("restart");
        var factory = new ConnectionFactory { Uri = vhost, AutomaticRecoveryEnabled = false };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            await channel.QueueDeclareAsync("survivor", durable: true, exclusive: false, autoDelete: false);
            // With confirmation tracking, the publish returns once the broker has written the message to disk.
            await channel.BasicPublishAsync(
                exchange: string.Empty,
                routingKey: "survivor",
                mandatory: true,
                basicProperties: new BasicProperties { Persistent = true },
                body: "still here"u8.ToArray());
        }

        await Services.StopRabbitMqAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => factory.CreateConnectionAsync());
        await Services.StartRabbitMqAsync();

        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            var message = await Deadline.UntilAsync(
                () => channel.BasicGetAsync("survivor", autoAck: true),
                TimeSpan.FromSeconds(10),
                "the persistent message in queue 'survivor'");
            Assert.Equal("still here", System.Text.Encoding.UTF8.GetString(message.Body.Span));
        }
    }

    [Fact]
    public async Task Committed_rows_survive_postgres_restart()
    {
        if (!Services.CanControlPostgres)
        {
            output.WriteLine($"Skipped: PostgreSQL ({Services.PostgresSource}) was not started as a local process.");
            return;
        }

        var database = await Services.CreateDatabaseAsync("restart");
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand("CREATE TABLE t (v text); INSERT INTO t VALUES ('kept')", connection);
            await insert.ExecuteNonQueryAsync();
        }

        await Services.KillPostgresAsync();
        await using (var refused = new NpgsqlConnection(database))
        {
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => refused.OpenAsync());
        }

        await Services.StartPostgresAsync();

        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var select = new NpgsqlCommand("SELECT v FROM t", connection);
            Assert.Equal("kept", await select.ExecuteScalarAsync());
        }
    }
}

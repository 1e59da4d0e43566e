using System.Text;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace BookMyShow.TestInfrastructure.Tests;

public sealed class SharedServicesTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Created_database_accepts_queries()
    {
        var services = await TestServices.Shared;
        output.WriteLine(services.Description);

        var connectionString = await services.CreateDatabaseAsync("accepts queries");

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand("SELECT 1", connection);
        Assert.Equal(1, await select.ExecuteScalarAsync());
        Assert.StartsWith("t_accepts_queries_", connection.Database, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Created_databases_do_not_see_each_others_tables()
    {
        var services = await TestServices.Shared;
        var first = await services.CreateDatabaseAsync();
        var second = await services.CreateDatabaseAsync();
        Assert.NotEqual(first, second);

        await using (var connection = new NpgsqlConnection(first))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE TABLE marker (id int)", connection);
            await create.ExecuteNonQueryAsync();
        }

        await using (var connection = new NpgsqlConnection(second))
        {
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT count(*) FROM pg_tables WHERE tablename = 'marker'", connection);
            Assert.Equal(0L, await count.ExecuteScalarAsync());
        }
    }

    [Fact]
    public async Task Created_virtual_host_delivers_a_published_message()
    {
        var services = await TestServices.Shared;
        var vhostUri = await services.CreateVirtualHostAsync("delivery");
        output.WriteLine(vhostUri.ToString());

        var factory = new ConnectionFactory { Uri = vhostUri };
        await using var connection = await factory.CreateConnectionAsync();
        if (services.RabbitMqSource != ServiceSource.EnvironmentVariable)
        {
            Assert.StartsWith("test-delivery-", Uri.UnescapeDataString(vhostUri.AbsolutePath.TrimStart('/')), StringComparison.Ordinal);
        }

        await using var channel = await connection.CreateChannelAsync();
        var queue = (await channel.QueueDeclareAsync(queue: string.Empty, durable: false, exclusive: true, autoDelete: true)).QueueName;

        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            received.TrySetResult(Encoding.UTF8.GetString(delivery.Body.Span));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);

        await channel.BasicPublishAsync(exchange: string.Empty, routingKey: queue, body: "hello"u8.ToArray());

        Assert.Equal("hello", await received.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Shared_instance_refuses_to_stop_its_servers()
    {
        var services = await TestServices.Shared;

        Assert.False(services.CanControlBroker);
        Assert.False(services.CanControlPostgres);
        if (services.RabbitMqSource == ServiceSource.LocalProcess)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(services.StopRabbitMqAsync);
        }
        else
        {
            await Assert.ThrowsAsync<NotSupportedException>(services.StopRabbitMqAsync);
        }
    }
}

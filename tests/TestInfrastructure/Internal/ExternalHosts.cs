using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace BookMyShow.TestInfrastructure.Internal;

/// <summary>A PostgreSQL given by BMS_TEST_POSTGRES. Databases created on it are dropped on dispose.</summary>
internal sealed class ExternalPostgres : IPostgresHost
{
    private readonly List<string> _createdDatabases = [];

    private ExternalPostgres(string connectionString) => AdminConnectionString = connectionString;

    public ServiceSource Source => ServiceSource.EnvironmentVariable;

    public string AdminConnectionString { get; }

    public string Description
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(AdminConnectionString);
            return $"PostgreSQL from BMS_TEST_POSTGRES ({builder.Host}:{builder.Port})";
        }
    }

    public bool CanControl => false;

    public static async Task<ExternalPostgres> ConnectAsync(string connectionString, CancellationToken cancellationToken)
    {
        var host = new ExternalPostgres(connectionString);
        var probe = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 5 }.ConnectionString;
        await Deadline.UntilAsync(
            async () =>
            {
                try
                {
                    await using var connection = new NpgsqlConnection(probe);
                    await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (NpgsqlException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(30),
            $"{host.Description} to accept connections",
            cancellationToken).ConfigureAwait(false);
        return host;
    }

    public void Track(string database)
    {
        lock (_createdDatabases)
        {
            _createdDatabases.Add(database);
        }
    }

    public Task StopAsync(bool kill, CancellationToken cancellationToken) => throw NotLocal();

    public Task StartAsync(CancellationToken cancellationToken) => throw NotLocal();

    public string Diagnostics(int lines) => Description;

    public async ValueTask DisposeAsync()
    {
        string[] databases;
        lock (_createdDatabases)
        {
            databases = [.. _createdDatabases];
        }

        if (databases.Length == 0)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var connection = new NpgsqlConnection(AdminConnectionString);
            await connection.OpenAsync().ConfigureAwait(false);
            foreach (var database in databases)
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        }
        catch (NpgsqlException)
        {
            // Best effort: the names are unique, a leftover harms no later run.
        }
    }

    internal static NotSupportedException NotLocal() =>
        new("Stopping and starting a server is only possible when the tests started it as a local process " +
            "(check TestServices.CanControlBroker / CanControlPostgres).");
}

/// <summary>A RabbitMQ given by BMS_TEST_RABBITMQ; virtual hosts cannot be created, the URI is handed out as is.</summary>
internal sealed class ExternalRabbitMq : IRabbitMqHost
{
    private ExternalRabbitMq(Uri uri) => Uri = uri;

    public ServiceSource Source => ServiceSource.EnvironmentVariable;

    public Uri Uri { get; }

    public string Description => $"RabbitMQ from BMS_TEST_RABBITMQ ({Uri.Host}:{Uri.Port})";

    public bool CanControl => false;

    public static async Task<ExternalRabbitMq> ConnectAsync(Uri uri, CancellationToken cancellationToken)
    {
        var host = new ExternalRabbitMq(uri);
        var factory = new ConnectionFactory { Uri = uri, AutomaticRecoveryEnabled = false, RequestedConnectionTimeout = TimeSpan.FromSeconds(5) };
        await Deadline.UntilAsync(
            async () =>
            {
                try
                {
                    await using var connection = await factory.CreateConnectionAsync("bms-test-readiness", cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (BrokerUnreachableException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(30),
            $"{host.Description} to accept AMQP connections",
            cancellationToken).ConfigureAwait(false);
        return host;
    }

    public Task<Uri> CreateVirtualHostAsync(string name, CancellationToken cancellationToken) => Task.FromResult(Uri);

    public Task StopAsync(bool kill, CancellationToken cancellationToken) => throw ExternalPostgres.NotLocal();

    public Task StartAsync(CancellationToken cancellationToken) => throw ExternalPostgres.NotLocal();

    public string Diagnostics(int lines) => Description;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

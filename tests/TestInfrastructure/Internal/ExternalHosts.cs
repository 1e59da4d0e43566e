using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace BookMyShow.TestInfrastructure.Internal;

/// <summary>
/// A PostgreSQL given by BMS_TEST_POSTGRES. Databases created on it are dropped on dispose; since the test runner
/// may kill the process first, each is also stamped with a comment, and stamped databases older than
/// <see cref="StaleAfter"/> are dropped when tests next connect.
/// </summary>
internal sealed class ExternalPostgres : IPostgresHost
{
    public const string CommentPrefix = "bms-test created ";
    private static readonly TimeSpan StaleAfter = TimeSpan.FromHours(6);

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
        await host.DropStaleDatabasesAsync(cancellationToken).ConfigureAwait(false);
        return host;
    }

    public static string Stamp(DateTimeOffset now) =>
        CommentPrefix + now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

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

    private async Task DropStaleDatabasesAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(AdminConnectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            List<string> stale = [];
            await using (var find = new NpgsqlCommand(
                "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database WHERE shobj_description(oid, 'pg_database') LIKE @prefix",
                connection))
            {
                find.Parameters.AddWithValue("prefix", CommentPrefix + "%");
                await using var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                var cutoff = DateTimeOffset.UtcNow - StaleAfter;
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var comment = reader.GetString(1);
                    if (long.TryParse(comment.AsSpan(CommentPrefix.Length), System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                        && DateTimeOffset.FromUnixTimeSeconds(seconds) < cutoff)
                    {
                        stale.Add(reader.GetString(0));
                    }
                }
            }

            foreach (var database in stale)
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException)
        {
            // Best effort: leftovers harm nothing but disk space.
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

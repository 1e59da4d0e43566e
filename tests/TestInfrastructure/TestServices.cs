using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Text;
using BookMyShow.TestInfrastructure.Internal;
using Npgsql;

namespace BookMyShow.TestInfrastructure;

/// <summary>
/// A real PostgreSQL and a real RabbitMQ for tests. Each server comes from, in this order:
/// <list type="number">
/// <item>BMS_TEST_POSTGRES (an Npgsql connection string allowed to CREATE DATABASE) / BMS_TEST_RABBITMQ (an amqp:// URI);</item>
/// <item>Testcontainers, when a Docker engine answers a ping within 2 s (DOCKER_HOST or /var/run/docker.sock);</item>
/// <item>local processes (initdb + postgres, rabbitmq-server) in a fresh temp directory.</item>
/// </list>
/// BMS_TEST_SERVICES=local or =docker forces the choice for the servers not given by environment variables.
/// Tests isolate by database (<see cref="CreateDatabaseAsync"/>) and virtual host (<see cref="CreateVirtualHostAsync"/>).
/// </summary>
public sealed class TestServices : IAsyncDisposable
{
    private static readonly Lazy<Task<TestServices>> SharedInstance = new(StartSharedAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly IPostgresHost _postgres;
    private readonly IRabbitMqHost _rabbitMq;
    private readonly LocalSandbox? _sandbox;
    private readonly SemaphoreSlim _control = new(1, 1);
    private int _disposed;

    private TestServices(IPostgresHost postgres, IRabbitMqHost rabbitMq, LocalSandbox? sandbox, TimeSpan startupTime)
    {
        _postgres = postgres;
        _rabbitMq = rabbitMq;
        _sandbox = sandbox;
        StartupTime = startupTime;
    }

    /// <summary>
    /// One instance per test process, started on first use and disposed at process exit, so that all test
    /// classes share one PostgreSQL and one RabbitMQ. Its servers cannot be stopped: failure tests start their
    /// own instance with <see cref="StartAsync"/>. A failed start is remembered: every later caller sees it at once.
    /// </summary>
    public static Task<TestServices> Shared => SharedInstance.Value;

    /// <summary>Where the PostgreSQL came from.</summary>
    public ServiceSource PostgresSource => _postgres.Source;

    /// <summary>Where the RabbitMQ came from.</summary>
    public ServiceSource RabbitMqSource => _rabbitMq.Source;

    /// <summary>How long <see cref="StartAsync"/> took.</summary>
    public TimeSpan StartupTime { get; }

    /// <summary>A human-readable account of both servers, for test output.</summary>
    public string Description => $"PostgreSQL: {_postgres.Description}; RabbitMQ: {_rabbitMq.Description}; started in {StartupTime.TotalSeconds:0.0} s";

    /// <summary>A connection string (user allowed to CREATE DATABASE) to the server's "postgres" database.</summary>
    public string PostgresAdminConnectionString => _postgres.AdminConnectionString;

    /// <summary>amqp://user:pass@host:port/ of the broker's default virtual host.</summary>
    public Uri RabbitMqUri => _rabbitMq.Uri;

    /// <summary>Whether <see cref="StopRabbitMqAsync"/> and friends work: only for a broker this instance started as a local process.</summary>
    public bool CanControlBroker => _rabbitMq.CanControl && !IsShared;

    /// <summary>Whether <see cref="StopPostgresAsync"/> and friends work: only for a PostgreSQL this instance started as a local process.</summary>
    public bool CanControlPostgres => _postgres.CanControl && !IsShared;

    private bool IsShared => SharedInstance.IsValueCreated && SharedInstance.Value.IsCompletedSuccessfully && ReferenceEquals(SharedInstance.Value.Result, this);

    /// <summary>Starts (or connects to) a PostgreSQL and a RabbitMQ of this instance's own; dispose it when done.</summary>
    public static async Task<TestServices> StartAsync(CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var postgresConnectionString = Environment.GetEnvironmentVariable("BMS_TEST_POSTGRES");
        var rabbitMqUri = Environment.GetEnvironmentVariable("BMS_TEST_RABBITMQ");
        var needServers = string.IsNullOrWhiteSpace(postgresConnectionString) || string.IsNullOrWhiteSpace(rabbitMqUri);
        var useDocker = needServers && await ShouldUseDockerAsync(ct).ConfigureAwait(false);
        LocalSandbox? sandbox = null;
        if (needServers && !useDocker)
        {
            if (OperatingSystem.IsWindows())
            {
                throw new PlatformNotSupportedException(
                    "Local test servers need Linux or macOS: set BMS_TEST_POSTGRES and BMS_TEST_RABBITMQ, or run Docker.");
            }

            sandbox = LocalSandbox.Create();
        }

        var postgresTask = StartPostgresAsync(postgresConnectionString, useDocker, sandbox, ct);
        var rabbitMqTask = StartRabbitMqAsync(rabbitMqUri, useDocker, sandbox, ct);
        try
        {
            await Task.WhenAll(postgresTask, rabbitMqTask).ConfigureAwait(false);
        }
        catch
        {
            // Wait for both, then undo whatever did start.
            await Task.WhenAll(postgresTask, rabbitMqTask).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            if (postgresTask.IsCompletedSuccessfully)
            {
                await postgresTask.Result.DisposeAsync().ConfigureAwait(false);
            }

            if (rabbitMqTask.IsCompletedSuccessfully)
            {
                await rabbitMqTask.Result.DisposeAsync().ConfigureAwait(false);
            }

            sandbox?.Dispose();
            var failures = new[] { postgresTask.Exception, rabbitMqTask.Exception }
                .Where(e => e is not null)
                .SelectMany(e => e!.InnerExceptions)
                .ToList();
            if (failures.Count == 1)
            {
                ExceptionDispatchInfo.Capture(failures[0]).Throw();
            }

            throw new AggregateException("Could not start the test servers.", failures);
        }

        return new TestServices(postgresTask.Result, rabbitMqTask.Result, sandbox, clock.Elapsed);
    }

    /// <summary>
    /// Creates a fresh database (<see cref="CreateDatabaseAsync"/>) and returns the settings that point the product's
    /// <c>AddBookingDatabase</c> at it (<c>Database:Provider</c> and <c>ConnectionStrings:Postgres</c>), to add more to.
    /// </summary>
    public async Task<Dictionary<string, string?>> CreateDatabaseSettingsAsync(string? prefix = null, CancellationToken ct = default) => new()
    {
        ["Database:Provider"] = "Postgres",
        ["ConnectionStrings:Postgres"] = await CreateDatabaseAsync(prefix, ct).ConfigureAwait(false),
    };

    /// <summary>
    /// Creates a fresh, uniquely named, empty database and returns a connection string to it.
    /// The name is "t_" + the prefix (lower-cased, letters, digits and underscores only) + a random suffix.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string? prefix = null, CancellationToken ct = default)
    {
        var name = UniqueName("t", prefix, '_', maxLength: 63);
        var admin = new NpgsqlConnectionStringBuilder(PostgresAdminConnectionString);
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            if (_postgres is ExternalPostgres external)
            {
                external.Track(name);
                await using var stamp = new NpgsqlCommand(
                    $"COMMENT ON DATABASE \"{name}\" IS '{ExternalPostgres.Stamp(DateTimeOffset.UtcNow)}'", connection);
                await stamp.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }

        admin.Database = name;
        return admin.ConnectionString;
    }

    /// <summary>
    /// Creates a fresh virtual host, grants the URI's user all permissions on it and returns its URI
    /// (the virtual host escaped in the path). With BMS_TEST_RABBITMQ the given URI is returned unchanged.
    /// </summary>
    public Task<Uri> CreateVirtualHostAsync(string? prefix = null, CancellationToken ct = default) =>
        _rabbitMq.CreateVirtualHostAsync(UniqueName("test", prefix, '-', maxLength: 100), ct);

    /// <summary>Stops the broker gracefully (SIGTERM). Local-process mode and own instances only.</summary>
    public Task StopRabbitMqAsync() => ControlAsync(_rabbitMq.CanControl, () => _rabbitMq.StopAsync(kill: false, CancellationToken.None));

    /// <summary>Kills the broker outright (SIGKILL), as in a crash. Local-process mode and own instances only.</summary>
    public Task KillRabbitMqAsync() => ControlAsync(_rabbitMq.CanControl, () => _rabbitMq.StopAsync(kill: true, CancellationToken.None));

    /// <summary>
    /// Starts the broker again on the same port, with the same node name and data directory (durable queues and
    /// persistent messages survive) and waits until it accepts AMQP connections.
    /// </summary>
    public Task StartRabbitMqAsync() => ControlAsync(_rabbitMq.CanControl, () => _rabbitMq.StartAsync(CancellationToken.None));

    /// <summary>Stops PostgreSQL with a fast shutdown (SIGINT). Local-process mode and own instances only.</summary>
    public Task StopPostgresAsync() => ControlAsync(_postgres.CanControl, () => _postgres.StopAsync(kill: false, CancellationToken.None));

    /// <summary>Kills PostgreSQL outright (SIGKILL to the postmaster and its backends), as in a crash.</summary>
    public Task KillPostgresAsync() => ControlAsync(_postgres.CanControl, () => _postgres.StopAsync(kill: true, CancellationToken.None));

    /// <summary>Starts PostgreSQL again on the same port and data directory and waits until it accepts connections.</summary>
    public Task StartPostgresAsync() => ControlAsync(_postgres.CanControl, () => _postgres.StartAsync(CancellationToken.None));

    /// <summary>The last output lines of locally started servers (or a description of the others), for failure messages.</summary>
    public string GetDiagnostics(int lines = 40)
    {
        var text = new StringBuilder();
        text.AppendLine(Description);
        text.AppendLine(_postgres.Diagnostics(lines));
        text.AppendLine(_rabbitMq.Diagnostics(lines));
        return text.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => Description;

    /// <summary>Stops the servers this instance started (kills local processes, removes their directory).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _rabbitMq.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            try
            {
                await _postgres.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                _sandbox?.Dispose();
                _control.Dispose();
            }
        }
    }

    private async Task ControlAsync(bool supported, Func<Task> action)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!supported)
        {
            throw ExternalPostgres.NotLocal();
        }

        if (IsShared)
        {
            throw new InvalidOperationException(
                "The servers of TestServices.Shared serve every test class at once and must not be stopped: " +
                "start a private instance with TestServices.StartAsync() for failure tests.");
        }

        await _control.WaitAsync().ConfigureAwait(false);
        try
        {
            await action().ConfigureAwait(false);
        }
        finally
        {
            _control.Release();
        }
    }

    private static async Task<TestServices> StartSharedAsync()
    {
        var services = await StartAsync().ConfigureAwait(false);
        if (services.PostgresSource != ServiceSource.LocalProcess || services.RabbitMqSource != ServiceSource.LocalProcess)
        {
            // Best effort (the runner SIGKILLs its testhost shortly after the last test): drop the databases made
            // on a BMS_TEST_POSTGRES server, release containers (Testcontainers' Ryuk removes them anyway).
            // Local processes need nothing here: the reaper kills them however this process ends.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => services.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(15));
        }

        return services;
    }

    private static async Task<bool> ShouldUseDockerAsync(CancellationToken ct)
    {
        var forced = Environment.GetEnvironmentVariable("BMS_TEST_SERVICES")?.Trim().ToLowerInvariant();
        return forced switch
        {
            "local" => false,
            "docker" or "containers" => true,
            null or "" or "auto" => await DockerProbe.IsReachableAsync(ct).ConfigureAwait(false),
            _ => throw new InvalidOperationException($"BMS_TEST_SERVICES={forced} is not one of auto, local, docker."),
        };
    }

    private static async Task<IPostgresHost> StartPostgresAsync(string? connectionString, bool useDocker, LocalSandbox? sandbox, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return await ExternalPostgres.ConnectAsync(connectionString, ct).ConfigureAwait(false);
        }

        if (useDocker || sandbox is null || OperatingSystem.IsWindows())
        {
            return await ContainerPostgres.CreateAsync(ct).ConfigureAwait(false);
        }

        return await LocalPostgres.StartAsync(sandbox, ct).ConfigureAwait(false);
    }

    private static async Task<IRabbitMqHost> StartRabbitMqAsync(string? uri, bool useDocker, LocalSandbox? sandbox, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(uri))
        {
            if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("amqp" or "amqps"))
            {
                throw new InvalidOperationException($"BMS_TEST_RABBITMQ must be an amqp://user:pass@host:port/ URI, not '{uri}'.");
            }

            return await ExternalRabbitMq.ConnectAsync(parsed, ct).ConfigureAwait(false);
        }

        if (useDocker || sandbox is null || OperatingSystem.IsWindows())
        {
            return await ContainerRabbitMq.CreateAsync(ct).ConfigureAwait(false);
        }

        return await LocalRabbitMq.StartAsync(sandbox, ct).ConfigureAwait(false);
    }

    private static string UniqueName(string kind, string? prefix, char separator, int maxLength)
    {
        var cleaned = new string((prefix ?? string.Empty)
            .ToLowerInvariant()
            .Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')
            .ToArray()).Trim('_');
        if (separator != '_')
        {
            cleaned = cleaned.Replace('_', separator);
        }

        var suffix = Guid.NewGuid().ToString("N")[..12];
        var head = cleaned.Length == 0 ? kind : $"{kind}{separator}{cleaned}";
        head = head[..Math.Min(head.Length, maxLength - suffix.Length - 1)];
        return $"{head}{separator}{suffix}";
    }
}

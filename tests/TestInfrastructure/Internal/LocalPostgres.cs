using System.Diagnostics;
using Npgsql;

namespace BookMyShow.TestInfrastructure.Internal;

/// <summary>initdb + postgres in the sandbox, on 127.0.0.1 and a free port, trust authentication.</summary>
internal sealed class LocalPostgres : IPostgresHost
{
    private const string ProcessKey = "postgres";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly LocalSandbox _sandbox;
    private readonly string _binDirectory;
    private readonly string _dataDirectory;
    private readonly string _socketDirectory;
    private readonly string? _runAs;
    private readonly int _port;
    private ChildProcess? _server;

    private LocalPostgres(LocalSandbox sandbox, string binDirectory, string directory, string? runAs, int port)
    {
        _sandbox = sandbox;
        _binDirectory = binDirectory;
        _dataDirectory = Path.Combine(directory, "data");
        _socketDirectory = Path.Combine(directory, "socket");
        _runAs = runAs;
        _port = port;
        AdminConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "postgres",
            Database = "postgres",
        }.ConnectionString;
    }

    public ServiceSource Source => ServiceSource.LocalProcess;

    public string AdminConnectionString { get; }

    public string Description => $"local postgres ({_binDirectory}) on 127.0.0.1:{_port}, data in {_dataDirectory}";

    public bool CanControl => true;

    public TimeSpan InitDbTime { get; private set; }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static async Task<LocalPostgres> StartAsync(LocalSandbox sandbox, CancellationToken cancellationToken)
    {
        var binDirectory = LocalTools.FindPostgresBinDirectory();
        var runAs = await LocalSandbox.EnsureServiceUserAsync(cancellationToken).ConfigureAwait(false);
        var directory = Path.Combine(sandbox.Root, "postgres");
        var host = new LocalPostgres(sandbox, binDirectory, directory, runAs, FreePort.Next());
        Directory.CreateDirectory(host._dataDirectory);
        Directory.CreateDirectory(host._socketDirectory);
        File.SetUnixFileMode(host._dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (runAs is not null)
        {
            await Shell.RunCheckedAsync(
                LocalTools.Require("chown"), ["-R", $"{runAs}:{runAs}", directory], TimeSpan.FromSeconds(30),
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        var clock = Stopwatch.StartNew();
        List<string> initdb = [];
        if (runAs is not null)
        {
            initdb.AddRange(["--reuid", runAs, "--regid", runAs, "--init-groups"]);
        }

        initdb.AddRange([
            Path.Combine(binDirectory, "initdb"),
            "--pgdata", host._dataDirectory,
            "--username", "postgres",
            "--auth", "trust",
            "--encoding", "UTF8",
            "--locale", "C",
            "--no-sync",
        ]);
        await Shell.RunCheckedAsync(
            runAs is null ? initdb[0] : LocalTools.Require("setpriv"),
            runAs is null ? initdb[1..] : initdb,
            TimeSpan.FromSeconds(120),
            new Dictionary<string, string?> { ["LC_ALL"] = "C", ["LANG"] = "C" },
            workingDirectory: sandbox.Root,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        host.InitDbTime = clock.Elapsed;

        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return host;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_server is { HasExited: false })
        {
            throw new InvalidOperationException("The test PostgreSQL is already running.");
        }

        _server = _sandbox.Launch(
            ProcessKey,
            Path.Combine(_binDirectory, "postgres"),
            [
                "-D", _dataDirectory,
                "-p", Shell.Invariant(_port),
                "-c", "listen_addresses=127.0.0.1",
                "-c", $"unix_socket_directories={_socketDirectory}",
                "-c", "max_connections=300",
                "-c", "fsync=off",
                "-c", "full_page_writes=off",
                "-c", "logging_collector=off",
                .. StatementStatisticsSettings(),
            ],
            new Dictionary<string, string?> { ["LC_ALL"] = "C", ["LANG"] = "C" },
            _runAs);
        await WaitUntilReadyAsync(_server, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// BMS_TEST_PG_STAT_STATEMENTS=1 (set by the benchmarks, which count statements per request by kind) loads
    /// pg_stat_statements when this PostgreSQL ships it; tests leave it unset and run without its small overhead.
    /// </summary>
    private string[] StatementStatisticsSettings()
    {
        var wanted = Environment.GetEnvironmentVariable("BMS_TEST_PG_STAT_STATEMENTS") == "1";
        var library = Path.Combine(Path.GetDirectoryName(_binDirectory) ?? _binDirectory, "lib", "pg_stat_statements.so");
        return wanted && File.Exists(library) ? ["-c", "shared_preload_libraries=pg_stat_statements"] : [];
    }

    public async Task StopAsync(bool kill, CancellationToken cancellationToken)
    {
        var server = _server ?? throw new InvalidOperationException("The test PostgreSQL is not running.");
        if (kill)
        {
            // SIGKILL to postmaster and backends at once: a crash; the next start runs crash recovery.
            server.Kill();
        }
        else
        {
            // SIGINT is postgres' "fast" shutdown: roll back open transactions, checkpoint, exit.
            await server.SendSignalAsync("INT", cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await server.WaitForExitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            server.Kill();
            await server.WaitForExitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        }

        // Pooled connections now point at a dead server; make the next Open() connect afresh.
        NpgsqlConnection.ClearAllPools();
    }

    public string Diagnostics(int lines) => _server?.Tail(lines) ?? "(postgres not started)";

    public ValueTask DisposeAsync()
    {
        _sandbox.Forget(ProcessKey);
        return ValueTask.CompletedTask;
    }

    private async Task WaitUntilReadyAsync(ChildProcess server, CancellationToken cancellationToken)
    {
        var probe = new NpgsqlConnectionStringBuilder(AdminConnectionString)
        {
            Pooling = false,
            Timeout = 2,
        }.ConnectionString;
        try
        {
            await PollAsync().ConfigureAwait(false);
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"{exception.Message}{Environment.NewLine}{server.Tail()}", exception);
        }

        Task PollAsync() => Deadline.UntilAsync(
            async () =>
            {
                if (server.HasExited)
                {
                    throw new InvalidOperationException(
                        $"The test PostgreSQL exited with code {server.ExitCode} during startup.{Environment.NewLine}{server.Tail()}");
                }

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
            ReadyTimeout,
            $"the test PostgreSQL on 127.0.0.1:{_port} to accept connections",
            cancellationToken);
    }
}

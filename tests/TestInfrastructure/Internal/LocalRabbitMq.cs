using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace BookMyShow.TestInfrastructure.Internal;

/// <summary>
/// rabbitmq-server in the sandbox: its own node name, ports, data, logs, config, Erlang cookie (in a HOME of
/// its own) and its own epmd on a free port, so it neither meets nor disturbs any other RabbitMQ on the machine.
/// </summary>
internal sealed class LocalRabbitMq : IRabbitMqHost
{
    private const string BrokerKey = "rabbitmq";
    private const string EpmdKey = "epmd";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);

    // Every rabbitmqctl call boots an Erlang VM (~0.6 s of CPU); the CLI also takes its distribution port from
    // a small fixed range (35672-35682), so a process runs only a few at once.
    private static readonly SemaphoreSlim CtlSlots = new(2, 2);

    private readonly LocalSandbox _sandbox;
    private readonly string _serverScript;
    private readonly string _ctlScript;
    private readonly string _nodeName;
    private readonly int _amqpPort;
    private readonly Dictionary<string, string?> _environment;
    private ChildProcess? _broker;

    private LocalRabbitMq(
        LocalSandbox sandbox, string serverScript, string ctlScript, string nodeName, int amqpPort,
        Dictionary<string, string?> environment)
    {
        _sandbox = sandbox;
        _serverScript = serverScript;
        _ctlScript = ctlScript;
        _nodeName = nodeName;
        _amqpPort = amqpPort;
        _environment = environment;
        Uri = new Uri($"amqp://guest:guest@127.0.0.1:{amqpPort}/");
    }

    public ServiceSource Source => ServiceSource.LocalProcess;

    public Uri Uri { get; }

    public string Description => $"local rabbitmq-server node {_nodeName} on 127.0.0.1:{_amqpPort}";

    public bool CanControl => true;

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static async Task<LocalRabbitMq> StartAsync(LocalSandbox sandbox, CancellationToken cancellationToken)
    {
        var serverScript = LocalTools.FindRabbitMqScript("rabbitmq-server");
        var ctlScript = LocalTools.FindRabbitMqScript("rabbitmqctl");
        var epmd = LocalTools.FindEpmd();

        var directory = Path.Combine(sandbox.Root, "rabbitmq");
        var home = Path.Combine(directory, "home");
        var mnesia = Path.Combine(directory, "mnesia");
        var logs = Path.Combine(directory, "log");
        Directory.CreateDirectory(home);
        Directory.CreateDirectory(mnesia);
        Directory.CreateDirectory(logs);

        // Erlang insists that the cookie file be readable by its owner only.
        var cookie = Path.Combine(home, ".erlang.cookie");
        await File.WriteAllTextAsync(cookie, RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 20), cancellationToken)
            .ConfigureAwait(false);
        File.SetUnixFileMode(cookie, UnixFileMode.UserRead);

        // BMS_TEST_RABBITMQ_MANAGEMENT_PORT (set by the benchmarks, which count messages per queue and exchange from
        // the management API) turns on the management plugin on that port, with statistics emitted and sampled every
        // second instead of every 5 s (the API's counters move in steps of the sampling interval); tests leave it
        // unset: the plugin adds seconds to the start and work to every channel.
        var managementPort = Environment.GetEnvironmentVariable("BMS_TEST_RABBITMQ_MANAGEMENT_PORT");
        var management = int.TryParse(managementPort, System.Globalization.CultureInfo.InvariantCulture, out var port)
            ? $"""
              management.tcp.ip = 127.0.0.1
              management.tcp.port = {Shell.Invariant(port)}
              collect_statistics_interval = 1000
              management.sample_retention_policies.global.minute = 1
              management.sample_retention_policies.basic.minute = 1
              management.sample_retention_policies.detailed.10 = 1

              """
            : string.Empty;
        var configFile = Path.Combine(directory, "rabbitmq.conf");
        await File.WriteAllTextAsync(
            configFile,
            """
            # Written by BookMyShow.TestInfrastructure for a throwaway test broker.
            loopback_users = none
            disk_free_limit.absolute = 1MB
            log.console = true
            log.console.level = info
            log.file.level = info

            """ + management,
            cancellationToken).ConfigureAwait(false);
        var pluginsFile = Path.Combine(directory, "enabled_plugins");
        await File.WriteAllTextAsync(pluginsFile, management.Length > 0 ? "[rabbitmq_management].\n" : "[].\n", cancellationToken)
            .ConfigureAwait(false);
        var envFile = Path.Combine(directory, "rabbitmq-env.conf");
        await File.WriteAllTextAsync(envFile, string.Empty, cancellationToken).ConfigureAwait(false);

        var nodeName = $"bms-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}@localhost";
        var amqpPort = FreePort.Next();
        var distPort = FreePort.Next();
        var epmdPort = FreePort.Next();
        var environment = new Dictionary<string, string?>
        {
            ["HOME"] = home,
            ["LANG"] = "C.UTF-8",
            ["LC_ALL"] = "C.UTF-8",
            ["ERL_EPMD_PORT"] = Shell.Invariant(epmdPort),
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODENAME"] = nodeName,
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = Shell.Invariant(amqpPort),
            ["RABBITMQ_DIST_PORT"] = Shell.Invariant(distPort),
            ["RABBITMQ_MNESIA_BASE"] = mnesia,
            ["RABBITMQ_LOG_BASE"] = logs,
            ["RABBITMQ_CONFIG_FILE"] = configFile,
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(directory, "advanced.config"),
            ["RABBITMQ_CONF_ENV_FILE"] = envFile,
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = pluginsFile,
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
        };
        var host = new LocalRabbitMq(sandbox, serverScript, ctlScript, nodeName, amqpPort, environment);

        // Our own epmd, up before the broker: else erl would spawn a daemon epmd that outlives everything.
        var epmdProcess = sandbox.Launch(
            EpmdKey, epmd, ["-port", Shell.Invariant(epmdPort), "-address", "127.0.0.1"], environment, runAs: null);
        sandbox.AddCleanupCommand(
            $"ERL_EPMD_PORT={Shell.Invariant(epmdPort)} {Shell.Quote(epmd)} -port {Shell.Invariant(epmdPort)} -kill >/dev/null 2>&1");
        try
        {
            await WaitForTcpAsync(epmdProcess, epmdPort, TimeSpan.FromSeconds(30), "epmd", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"epmd for the test RabbitMQ did not start: {exception.Message}{Environment.NewLine}{epmdProcess.Tail()}", exception);
        }

        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return host;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_broker is { HasExited: false })
        {
            throw new InvalidOperationException("The test RabbitMQ is already running.");
        }

        var clock = Stopwatch.StartNew();
        _broker = _sandbox.Launch(BrokerKey, _serverScript, [], _environment, runAs: null);
        var broker = _broker;
        try
        {
            // The AMQP listener opens last in the boot sequence; polling it costs nothing, unlike rabbitmqctl.
            await WaitForTcpAsync(broker, _amqpPort, ReadyTimeout, "the test RabbitMQ AMQP port", cancellationToken)
                .ConfigureAwait(false);
            var remaining = ReadyTimeout - clock.Elapsed;
            await CtlAsync(
                ["await_startup", "--timeout", Shell.Invariant((int)Math.Max(10, remaining.TotalSeconds))],
                remaining + TimeSpan.FromSeconds(15),
                cancellationToken).ConfigureAwait(false);
            await WaitForAmqpAsync(broker, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"The test RabbitMQ ({Description}) did not become ready: {exception.Message}{Environment.NewLine}{broker.Tail(80)}",
                exception);
        }
    }

    public async Task StopAsync(bool kill, CancellationToken cancellationToken)
    {
        var broker = _broker ?? throw new InvalidOperationException("The test RabbitMQ is not running.");
        if (kill)
        {
            broker.Kill();
        }
        else
        {
            // rabbitmq-server's shell traps SIGTERM and stops the node gracefully.
            await broker.SendSignalAsync("TERM", cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await broker.WaitForExitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            broker.Kill();
            await broker.WaitForExitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<Uri> CreateVirtualHostAsync(string name, CancellationToken cancellationToken)
    {
        var user = AmqpUris.UserName(Uri);
        // One CLI call instead of two (add_vhost + set_permissions): each call boots an Erlang VM.
        var expression =
            $"ok = rabbit_vhost:add(<<\"{name}\">>, <<\"bms-test\">>), " +
            $"ok = rabbit_auth_backend_internal:set_permissions(<<\"{user}\">>, <<\"{name}\">>, <<\".*\">>, <<\".*\">>, <<\".*\">>, <<\"bms-test\">>).";
        var viaEval = await CtlRawAsync(["eval", expression], TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        if (viaEval.ExitCode != 0)
        {
            // Internal API changed (another RabbitMQ version): use the documented commands.
            await CtlAsync(["add_vhost", name], TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            await CtlAsync(["set_permissions", "-p", name, user, ".*", ".*", ".*"], TimeSpan.FromSeconds(60), cancellationToken)
                .ConfigureAwait(false);
        }

        return AmqpUris.WithVirtualHost(Uri, name);
    }

    public string Diagnostics(int lines) => _broker?.Tail(lines) ?? "(rabbitmq not started)";

    public ValueTask DisposeAsync()
    {
        _sandbox.Forget(BrokerKey);
        _sandbox.Forget(EpmdKey);
        return ValueTask.CompletedTask;
    }

    private async Task CtlAsync(IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await CtlRawAsync(arguments, timeout, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"rabbitmqctl {string.Join(' ', arguments)} failed with exit code {result.ExitCode}:{Environment.NewLine}{result.Output}");
        }
    }

    private async Task<CommandResult> CtlRawAsync(IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await CtlSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Shell.RunAsync(
                _ctlScript, ["-n", _nodeName, "-q", .. arguments], timeout, _environment, _sandbox.Root, cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            CtlSlots.Release();
        }
    }

    private async Task WaitForAmqpAsync(ChildProcess broker, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            Uri = Uri,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            AutomaticRecoveryEnabled = false,
        };
        await Deadline.UntilAsync(
            async () =>
            {
                ThrowIfExited(broker);
                try
                {
                    await using var connection = await factory.CreateConnectionAsync("bms-test-readiness", cancellationToken)
                        .ConfigureAwait(false);
                    return true;
                }
                catch (BrokerUnreachableException)
                {
                    return false;
                }
            },
            timeout,
            $"an AMQP connection to {Uri}",
            cancellationToken).ConfigureAwait(false);
    }

    private static async Task WaitForTcpAsync(
        ChildProcess process, int port, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        await Deadline.UntilAsync(
            async () =>
            {
                ThrowIfExited(process);
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            },
            timeout,
            $"{what} on 127.0.0.1:{port} to accept TCP connections",
            cancellationToken).ConfigureAwait(false);
    }

    private static void ThrowIfExited(ChildProcess process)
    {
        if (process.HasExited)
        {
            throw new InvalidOperationException($"{process.Name} exited with code {process.ExitCode} during startup.");
        }
    }
}

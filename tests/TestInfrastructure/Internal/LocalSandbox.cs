using System.Collections.Concurrent;
using System.Text;

namespace BookMyShow.TestInfrastructure.Internal;

/// <summary>
/// A temp directory plus the server processes started in it. Each process runs in a session of its own
/// (setsid), so that its whole tree can be killed by process group. Everything is killed and the directory
/// removed on <see cref="Dispose"/>, at process exit, and - through a small watchdog shell that polls the
/// test process once a second - even when the test process dies without running any cleanup.
/// </summary>
internal sealed class LocalSandbox : IDisposable
{
    public const string ServiceUserName = "bmstest";

    private static readonly ConcurrentDictionary<LocalSandbox, byte> Live = new();
    private static readonly SemaphoreSlim UserCreation = new(1, 1);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, ChildProcess> _processes = [];
    private readonly List<string> _cleanupCommands = [];
    private readonly string _setsid;
    private ChildProcess? _watchdog;
    private bool _disposed;

    static LocalSandbox()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var sandbox in Live.Keys)
            {
                sandbox.Dispose();
            }
        };
    }

    private LocalSandbox(string root, string setsid)
    {
        Root = root;
        _setsid = setsid;
    }

    public string Root { get; }

    private string CleanupScript => Path.Combine(Root, "cleanup.sh");

    public static LocalSandbox Create()
    {
        var setsid = LocalTools.Require("setsid");
        var root = Path.Combine(
            Path.GetTempPath(),
            $"bms-test-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(root);
        // Servers may run as another user (postgres refuses root); they must be able to enter the directory.
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        var sandbox = new LocalSandbox(root, setsid);
        Live.TryAdd(sandbox, 0);
        try
        {
            sandbox.WriteCleanupScript();
            sandbox.StartWatchdog();
        }
        catch
        {
            sandbox.Dispose();
            throw;
        }

        return sandbox;
    }

    /// <summary>
    /// The user that servers refusing root run as: null when this process is not root, else
    /// <see cref="ServiceUserName"/>, created as a system user when missing.
    /// </summary>
    public static async Task<string?> EnsureServiceUserAsync(CancellationToken cancellationToken)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return null;
        }

        await UserCreation.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var id = LocalTools.Require("id");
            var exists = await Shell.RunAsync(id, ["-u", ServiceUserName], TimeSpan.FromSeconds(10), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            if (exists.ExitCode == 0)
            {
                return ServiceUserName;
            }

            var created = await Shell.RunAsync(
                LocalTools.Require("useradd"),
                ["--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", ServiceUserName],
                TimeSpan.FromSeconds(30),
                cancellationToken: cancellationToken).ConfigureAwait(false);
            // Another test process may have created the user at the same moment: look again before failing.
            var recheck = await Shell.RunAsync(id, ["-u", ServiceUserName], TimeSpan.FromSeconds(10), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return recheck.ExitCode == 0
                ? ServiceUserName
                : throw new InvalidOperationException(
                    $"Could not create the system user '{ServiceUserName}' that runs the test PostgreSQL (postgres refuses to run as root): {created.Output}");
        }
        finally
        {
            UserCreation.Release();
        }
    }

    /// <summary>Starts a server process in a new session, optionally as <paramref name="runAs"/>, replacing any process under the same key.</summary>
    public ChildProcess Launch(
        string key,
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment,
        string? runAs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        List<string> command = [];
        if (runAs is not null)
        {
            command.AddRange([LocalTools.Require("setpriv"), "--reuid", runAs, "--regid", runAs, "--init-groups"]);
        }

        command.Add(fileName);
        command.AddRange(arguments);
        var child = ChildProcess.Start(_setsid, command, environment, Root, key);
        lock (_gate)
        {
            if (_processes.Remove(key, out var previous))
            {
                previous.Dispose();
            }

            _processes[key] = child;
            WriteCleanupScript();
        }

        return child;
    }

    /// <summary>Kills the process under <paramref name="key"/> (whole process group) and forgets it.</summary>
    public void Forget(string key)
    {
        lock (_gate)
        {
            if (_processes.Remove(key, out var previous))
            {
                previous.Dispose();
                WriteCleanupScript();
            }
        }
    }

    /// <summary>A shell line run when the sandbox is torn down, whichever way.</summary>
    public void AddCleanupCommand(string shellLine)
    {
        lock (_gate)
        {
            _cleanupCommands.Add(shellLine);
            WriteCleanupScript();
        }
    }

    public void Dispose()
    {
        ChildProcess[] processes;
        string[] commands;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            processes = [.. _processes.Values];
            commands = [.. _cleanupCommands];
            _processes.Clear();
        }

        Live.TryRemove(this, out _);
        foreach (var process in processes)
        {
            process.Kill();
        }

        foreach (var process in processes)
        {
            process.Dispose();
        }

        if (commands.Length > 0)
        {
            try
            {
                using var cleanup = ChildProcess.Start("/bin/sh", ["-c", string.Join('\n', commands)], name: "cleanup");
                cleanup.WaitForExitAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            }
            catch (Exception)
            {
                // Best effort: the servers themselves are already gone.
            }
        }

        _watchdog?.Dispose();
        DeleteRoot();
    }

    private void StartWatchdog()
    {
        const string script = """
            while kill -0 "$1" 2>/dev/null; do sleep 1; done
            exec /bin/sh "$2" >/dev/null 2>&1
            """;
        _watchdog = ChildProcess.Start(
            _setsid,
            ["/bin/sh", "-c", script, "bms-test-watchdog", Shell.Invariant(Environment.ProcessId), CleanupScript],
            name: "watchdog");
    }

    private void WriteCleanupScript()
    {
        var text = new StringBuilder();
        text.Append("# Written by BookMyShow.TestInfrastructure: run by the watchdog if test process ")
            .Append(Environment.ProcessId).Append(" dies without cleaning up.\n");
        foreach (var process in _processes.Values)
        {
            // Each server was started through setsid: its pid is its process group.
            text.Append("kill -KILL -- -").Append(Shell.Invariant(process.Id)).Append(" 2>/dev/null\n");
        }

        foreach (var command in _cleanupCommands)
        {
            text.Append(command).Append('\n');
        }

        text.Append("rm -rf -- ").Append(Shell.Quote(Root)).Append('\n');
        var temporary = CleanupScript + ".new";
        File.WriteAllText(temporary, text.ToString());
        File.Move(temporary, CleanupScript, overwrite: true);
    }

    private void DeleteRoot()
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                if (Directory.Exists(Root))
                {
                    Directory.Delete(Root, recursive: true);
                }

                return;
            }
            catch (IOException)
            {
                // A dying server may still be writing its last files; try again.
            }
            catch (UnauthorizedAccessException)
            {
                return;
            }

            Thread.Sleep(100 * (attempt + 1));
        }
    }
}

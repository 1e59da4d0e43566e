namespace BookMyShow.TestInfrastructure.Internal;

/// <summary>
/// A temp directory plus the server processes started in it. Everything is killed and the directory removed
/// on <see cref="Dispose"/>; should the test process end first, however it ends, the <see cref="Reaper"/> does it.
/// </summary>
internal sealed class LocalSandbox : IDisposable
{
    public const string ServiceUserName = "bmstest";

    private static readonly SemaphoreSlim UserCreation = new(1, 1);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, ChildProcess> _processes = [];
    private readonly List<(string Command, long ReaperKey)> _cleanupCommands = [];
    private readonly long _removeRootKey;
    private bool _disposed;

    private LocalSandbox(string root)
    {
        Root = root;
        _removeRootKey = Reaper.Add(Reaper.CleanupPhase, $"rm -rf -- {Shell.Quote(root)}");
    }

    public string Root { get; }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static LocalSandbox Create()
    {
        var root = Path.Combine(
            Path.GetTempPath(),
            $"bms-test-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(root);
        // Servers may run as another user (postgres refuses root); they must be able to enter the directory.
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        return new LocalSandbox(root);
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

    /// <summary>Starts a server process, optionally as <paramref name="runAs"/>, replacing any process under the same key.</summary>
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
            command.AddRange(["--reuid", runAs, "--regid", runAs, "--init-groups", fileName]);
        }

        command.AddRange(arguments);
        var child = ChildProcess.Start(runAs is null ? fileName : LocalTools.Require("setpriv"), command, environment, Root, key);
        lock (_gate)
        {
            if (_processes.Remove(key, out var previous))
            {
                previous.Dispose();
            }

            _processes[key] = child;
        }

        return child;
    }

    /// <summary>Kills the process under <paramref name="key"/> (with its descendants) and forgets it.</summary>
    public void Forget(string key)
    {
        ChildProcess? previous;
        lock (_gate)
        {
            _processes.Remove(key, out previous);
        }

        previous?.Dispose();
    }

    /// <summary>A shell line run when the sandbox is torn down, whichever way.</summary>
    public void AddCleanupCommand(string shellLine)
    {
        lock (_gate)
        {
            _cleanupCommands.Add((shellLine, Reaper.Add(Reaper.CleanupPhase, shellLine)));
        }
    }

    public void Dispose()
    {
        ChildProcess[] processes;
        (string Command, long ReaperKey)[] commands;
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
                using var cleanup = ChildProcess.Start("/bin/sh", ["-c", string.Join('\n', commands.Select(c => c.Command))], name: "cleanup");
                cleanup.WaitForExitAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            }
            catch (Exception)
            {
                // Best effort: the servers themselves are already gone.
            }
        }

        foreach (var (_, reaperKey) in commands)
        {
            Reaper.Remove(reaperKey);
        }

        DeleteRoot();
        Reaper.Remove(_removeRootKey);
    }

    private void DeleteRoot() =>
        // A dying server may still be writing its last files: keep trying until the folder is gone, for 2 s at most.
        SpinWait.SpinUntil(TryDeleteRoot, TimeSpan.FromSeconds(2));

    private bool TryDeleteRoot()
    {
        try
        {
            if (Directory.Exists(Root))
            {
                Directory.Delete(Root, recursive: true);
            }

            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }
}

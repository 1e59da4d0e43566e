using System.Diagnostics;
using System.Text;

namespace BookMyShow.TestInfrastructure.Internal;

/// <summary>
/// Makes sure that what the tests started dies with the test process, however it ends. The test runner
/// (vstest) SIGKILLs its testhost shortly after the last test, often before or while ProcessExit handlers run,
/// so cleanup cannot be left to them. Instead a shell script lists what to kill (process groups: every child
/// runs in a session of its own) and what to remove; a watchdog shell, started once per test process, runs it
/// as soon as the test process is gone, and ProcessExit merely launches the same script without waiting.
/// </summary>
internal static class Reaper
{
    private static readonly Lock Gate = new();
    private static readonly SortedDictionary<long, (int Phase, string Lines)> Entries = [];
    private static readonly string ScriptPath = Path.Combine(
        Path.GetTempPath(), $"bms-test-reaper-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}.sh");

    private static long _nextKey;
    private static Process? _watchdog;
    private static bool _exiting;

    /// <summary>Kill lines (phase 0) run before cleanup lines (phase 1).</summary>
    public const int KillPhase = 0;

    public const int CleanupPhase = 1;

    public static string? Setsid { get; } = OperatingSystem.IsWindows() ? null : LocalTools.FindOnPath("setsid");

    /// <summary>Adds shell lines to run if the test process ends; returns a key for <see cref="Remove"/>.</summary>
    public static long Add(int phase, string lines)
    {
        lock (Gate)
        {
            var key = ++_nextKey;
            Entries[key] = (phase, lines);
            if (!_exiting)
            {
                WriteScript();
                EnsureWatchdog();
            }

            return key;
        }
    }

    public static void Remove(long key)
    {
        lock (Gate)
        {
            if (Entries.Remove(key) && !_exiting)
            {
                WriteScript();
            }
        }
    }

    private static void EnsureWatchdog()
    {
        if (_watchdog is not null || Setsid is null)
        {
            return;
        }

        const string loop = """
            while kill -0 "$1" 2>/dev/null; do sleep 1; done
            exec /bin/sh "$2" >/dev/null 2>&1
            """;
        _watchdog = StartQuietly(Setsid, ["/bin/sh", "-c", loop, "bms-test-watchdog", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), ScriptPath]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => OnProcessExit();
    }

    private static void OnProcessExit()
    {
        lock (Gate)
        {
            if (_exiting)
            {
                return;
            }

            _exiting = true;
        }

        // Launch, do not wait: the runner may SIGKILL us any moment; the script outlives us (own session).
        try
        {
            StartQuietly(Setsid ?? "/bin/sh", Setsid is null ? [ScriptPath] : ["/bin/sh", ScriptPath])?.Dispose();
        }
        catch (Exception)
        {
            // The watchdog runs the script anyway once we are gone.
        }
    }

    private static void WriteScript()
    {
        var text = new StringBuilder();
        text.Append("# BookMyShow.TestInfrastructure: cleanup for test process ").Append(Environment.ProcessId).Append('\n');
        foreach (var phase in new[] { KillPhase, CleanupPhase })
        {
            foreach (var (_, entry) in Entries)
            {
                if (entry.Phase == phase)
                {
                    text.Append(entry.Lines).Append('\n');
                }
            }
        }

        text.Append("rm -f -- ").Append(Shell.Quote(ScriptPath)).Append('\n');
        var temporary = ScriptPath + ".new";
        File.WriteAllText(temporary, text.ToString());
        File.Move(temporary, ScriptPath, overwrite: true);
    }

    private static Process? StartQuietly(string fileName, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            // Never share the test host's own stdout/stderr: the runner reads those until end-of-file.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo);
        process?.StandardInput.Close();
        return process;
    }
}

using System.Diagnostics;
using System.Text;

namespace BookMyShow.TestInfrastructure;

/// <summary>
/// A child process whose stdout and stderr lines are captured into a bounded, thread-safe buffer.
/// Used to run the Gateway and Workers as real processes (<see cref="StartDotnet"/>) and, inside this
/// library, the local PostgreSQL and RabbitMQ servers. Each child runs in a session of its own (setsid) and is
/// killed, with its whole process group, when the test process ends - even when the test runner SIGKILLs it.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable, IDisposable
{
    /// <summary>How many output lines are kept; older ones are dropped.</summary>
    public const int BufferedLineLimit = 20_000;

    private readonly Process _process;
    private readonly Action<string>? _onOutput;
    private readonly Lock _gate = new();
    private readonly Queue<OutputLine> _lines = new();
    private readonly List<(string Substring, TaskCompletionSource Found)> _waiters = [];
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _openStreams = 2;
    private long _droppedLines;
    private long _reaperKey;
    private bool _disposed;

    private ChildProcess(Process process, string name, Action<string>? onOutput)
    {
        _process = process;
        Name = name;
        _onOutput = onOutput;
    }

    /// <summary>A short name used in diagnostics, e.g. "gateway".</summary>
    public string Name { get; }

    /// <summary>The operating-system process id.</summary>
    public int Id { get; private set; }

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, or null while the process runs.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>
    /// The path of the <c>dotnet</c> host running this process when it is one (as under <c>dotnet test</c>),
    /// else <c>DOTNET_HOST_PATH</c>, else <c>dotnet</c> from PATH.
    /// </summary>
    public static string DotnetHostPath { get; } = FindDotnetHost();

    /// <summary>
    /// Starts <c>dotnet &lt;dllPath&gt; [arguments]</c>. The working directory defaults to the dll's folder so
    /// that an ASP.NET Core app finds its appsettings.json (its content root is the working directory).
    /// </summary>
    /// <param name="environment">Variables to set for the child; a null value removes an inherited variable.</param>
    /// <param name="onOutput">Optional callback for each line (e.g. to echo into a test's output); its exceptions are ignored.</param>
    public static ChildProcess StartDotnet(
        string dllPath,
        IEnumerable<string>? arguments = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        string? name = null,
        Action<string>? onOutput = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dllPath);
        var fullPath = Path.GetFullPath(dllPath);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"Cannot start '{fullPath}': the file does not exist (was it built?).", fullPath);
        }

        return Start(
            DotnetHostPath,
            [fullPath, .. arguments ?? []],
            environment,
            workingDirectory ?? Path.GetDirectoryName(fullPath),
            name ?? Path.GetFileNameWithoutExtension(fullPath),
            onOutput);
    }

    /// <summary>Starts any executable with its output captured.</summary>
    /// <param name="environment">Variables to set for the child; a null value removes an inherited variable.</param>
    /// <param name="onOutput">Optional callback for each line; its exceptions are ignored.</param>
    public static ChildProcess Start(
        string fileName,
        IEnumerable<string>? arguments = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        string? name = null,
        Action<string>? onOutput = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        var setsid = Internal.Reaper.Setsid;
        var startInfo = new ProcessStartInfo(setsid ?? fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        if (setsid is not null)
        {
            // setsid execs the program (it forks only when called by a group leader, which a fresh child is not),
            // so the pid stays the program's own and is also its process group and session id.
            startInfo.ArgumentList.Add(fileName);
        }

        foreach (var argument in arguments ?? [])
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                startInfo.Environment.Remove(key);
            }
            else
            {
                startInfo.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var childName = name ?? Path.GetFileName(fileName);
        // BMS_TEST_LOG_DIR: every child's output also goes to <dir>/<name>-<pid>.log, for reading after a benchmark or test run.
        if (System.Environment.GetEnvironmentVariable("BMS_TEST_LOG_DIR") is { Length: > 0 } logDirectory)
        {
            Directory.CreateDirectory(logDirectory);
            var writer = TextWriter.Synchronized(new StreamWriter(Path.Combine(logDirectory, $"{childName}-{System.Environment.ProcessId}-{DateTime.UtcNow:HHmmssfff}.log")) { AutoFlush = true });
            var inner = onOutput;
            onOutput = line =>
            {
                writer.WriteLine(line);
                inner?.Invoke(line);
            };
        }
        var child = new ChildProcess(process, childName, onOutput);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, isError: true);
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            throw;
        }

        child.Id = process.Id;
        var killLine = setsid is null
            ? $"kill -9 {Internal.Shell.Invariant(child.Id)} 2>/dev/null"
            : $"kill -9 -{Internal.Shell.Invariant(child.Id)} 2>/dev/null";
        child._reaperKey = Internal.Reaper.Add(Internal.Reaper.KillPhase, killLine);
        process.Exited += (_, _) => Internal.Reaper.Remove(child._reaperKey);
        if (process.HasExited)
        {
            Internal.Reaper.Remove(child._reaperKey);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // Nothing is ever typed into a child: it sees end-of-file on stdin, never the test host's terminal.
        process.StandardInput.Close();
        return child;
    }

    /// <summary>A snapshot of the buffered output lines (stdout and stderr interleaved, oldest first).</summary>
    public IReadOnlyList<string> GetOutputLines()
    {
        lock (_gate)
        {
            return [.. _lines.Select(l => l.Text)];
        }
    }

    /// <summary>The last <paramref name="lines"/> lines, formatted for a failure message.</summary>
    public string Tail(int lines = 50)
    {
        OutputLine[] snapshot;
        long dropped;
        lock (_gate)
        {
            snapshot = [.. _lines.Skip(Math.Max(0, _lines.Count - lines))];
            dropped = _droppedLines + Math.Max(0, _lines.Count - lines);
        }

        var text = new StringBuilder();
        text.Append("--- last ").Append(snapshot.Length).Append(" output lines of ").Append(Name)
            .Append(" (pid ").Append(Id).Append(", ")
            .Append(HasExited ? $"exited with code {_process.ExitCode}" : "running")
            .Append(dropped > 0 ? $", {dropped} earlier lines not shown" : string.Empty)
            .AppendLine(") ---");
        foreach (var line in snapshot)
        {
            text.Append(line.IsError ? "[err] " : "[out] ").AppendLine(line.Text);
        }

        return text.Append("--- end of ").Append(Name).Append(" output ---").ToString();
    }

    /// <summary>
    /// Waits until a line containing <paramref name="substring"/> (ordinal) has been printed, including lines
    /// printed before the call. Fails fast, with the output tail, if the process closes its output first.
    /// </summary>
    /// <exception cref="TimeoutException">No such line within <paramref name="timeout"/>.</exception>
    /// <exception cref="InvalidOperationException">The process ended its output without printing such a line.</exception>
    public async Task WaitForOutputAsync(string substring, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(substring);
        var found = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_lines.Any(l => l.Text.Contains(substring, StringComparison.Ordinal)))
            {
                return;
            }

            _waiters.Add((substring, found));
        }

        try
        {
            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutSource.CancelAfter(timeout);
            var done = await Task.WhenAny(found.Task, _outputClosed.Task)
                .WaitAsync(timeoutSource.Token)
                .ConfigureAwait(false);
            if (done != found.Task && !found.Task.IsCompleted)
            {
                throw new InvalidOperationException(
                    $"{Name} ended its output without printing \"{substring}\".{Environment.NewLine}{Tail()}");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Timed out after {timeout.TotalSeconds:0.###} s waiting for {Name} to print \"{substring}\".{Environment.NewLine}{Tail()}");
        }
        finally
        {
            lock (_gate)
            {
                _waiters.RemoveAll(w => w.Found == found);
            }
        }
    }

    /// <summary>Waits for the process to exit (and its output to be read) and returns the exit code.</summary>
    /// <exception cref="TimeoutException">Still running after <paramref name="timeout"/>.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
            return _process.ExitCode;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Timed out after {timeout.TotalSeconds:0.###} s waiting for {Name} to exit.{Environment.NewLine}{Tail()}");
        }
    }

    /// <summary>Waits for the process to exit (and its output to be read) and returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>Kills the process and all its descendants at once (SIGKILL); no-op if it already exited.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited, or never started.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exited while being killed.
        }
    }

    /// <summary>
    /// Asks the process to stop (SIGTERM, which .NET hosts treat as a graceful shutdown), waits up to
    /// <paramref name="gracePeriod"/> (default 10 s) and kills it if it is still running. Returns the exit code.
    /// </summary>
    public async Task<int> StopAsync(TimeSpan? gracePeriod = null, CancellationToken cancellationToken = default)
    {
        if (!HasExited)
        {
            await SendSignalAsync("TERM", cancellationToken).ConfigureAwait(false);
            try
            {
                return await WaitForExitAsync(gracePeriod ?? TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Kill();
            }
        }

        return await WaitForExitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a POSIX signal (e.g. "TERM", "INT", "HUP") to the process itself (not its descendants).</summary>
    public async Task SendSignalAsync(string signal, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(signal);
        if (HasExited)
        {
            return;
        }

        using var kill = Process.Start(new ProcessStartInfo("kill")
        {
            ArgumentList = { "-s", signal, Id.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("Could not start 'kill'.");
        kill.StandardInput.Close();
        var stderr = kill.StandardError.ReadToEndAsync(cancellationToken);
        await kill.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await kill.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var error = await stderr.ConfigureAwait(false);
        if (kill.ExitCode != 0 && !HasExited)
        {
            throw new InvalidOperationException($"kill -s {signal} {Id} failed: {error}");
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} (pid {Id})";

    /// <summary>Kills the process if it still runs and releases it.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Kill();
        try
        {
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        Internal.Reaper.Remove(_reaperKey);
        _process.Dispose();
    }

    /// <inheritdoc cref="Dispose"/>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        Kill();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A descendant may still hold the output pipes; nothing more to wait for.
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        Dispose();
    }

    private void OnLine(string? text, bool isError)
    {
        List<TaskCompletionSource>? satisfied = null;
        lock (_gate)
        {
            if (text is null)
            {
                if (--_openStreams == 0)
                {
                    _outputClosed.TrySetResult();
                }

                return;
            }

            _lines.Enqueue(new OutputLine(isError, text));
            if (_lines.Count > BufferedLineLimit)
            {
                _lines.Dequeue();
                _droppedLines++;
            }

            foreach (var (substring, found) in _waiters)
            {
                if (text.Contains(substring, StringComparison.Ordinal))
                {
                    (satisfied ??= []).Add(found);
                }
            }
        }

        satisfied?.ForEach(found => found.TrySetResult());
        if (_onOutput is not null)
        {
            try
            {
                _onOutput(text);
            }
            catch
            {
                // A test's output helper throws once its test has finished; the line stays in the buffer.
            }
        }
    }

    private static string FindDotnetHost()
    {
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return current;
        }

        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, "dotnet")))
        {
            return Path.Combine(root, "dotnet");
        }

        return "dotnet";
    }

    private readonly record struct OutputLine(bool IsError, string Text);
}

using System.Diagnostics;
using System.Globalization;

namespace BookMyShow.Bench.Cost;

/// <summary>
/// CPU time of the bench's own process tree from <c>/proc/&lt;pid&gt;/stat</c>, summed by group: the gateway, the
/// workers, the baseline server (by their pids), PostgreSQL (the postmaster and every backend and helper under it),
/// RabbitMQ (the rabbitmq-server script, beam.smp and everything under it, and its epmd), the generator (this
/// process itself) and anything else this process started (the fixture's watchdog, CLI tools).
/// </summary>
/// <remarks>
/// A group's time is the sum, over its live processes, of utime + stime + cutime + cstime: the children's fields
/// hold the time of descendants that have exited and been waited for (PostgreSQL's autovacuum workers and
/// short-lived backends, Erlang's helpers), so work done by a process that ends inside a window is still counted,
/// in its parent, exactly once. The generator counts utime + stime only: its children are the systems measured.
/// </remarks>
public static class ProcessCpu
{
    public const string Gateway = "gateway";
    public const string Worker = "worker";
    public const string BaselineServer = "baseline server";
    public const string Postgres = "PostgreSQL";
    public const string RabbitMq = "RabbitMQ";
    public const string Generator = "generator";
    public const string Other = "other";

    /// <summary>The kernel's clock ticks per second (USER_HZ) that /proc/&lt;pid&gt;/stat counts in.</summary>
    static readonly double TicksPerSecond = ReadTicksPerSecond();

    /// <summary>CPU seconds by group at this moment; empty where /proc cannot be read (not Linux).</summary>
    /// <param name="roles">The system's .NET processes by pid: gateway, worker or baseline server.</param>
    public static Dictionary<string, double> Sample(IReadOnlyDictionary<int, string> roles)
    {
        var all = ReadAll();
        var self = Environment.ProcessId;
        var seconds = new Dictionary<string, double>();
        if (!all.TryGetValue(self, out var me)) return seconds;
        seconds[Generator] = me.SelfTicks / TicksPerSecond;

        // Every process started by this one runs in a session of its own (ChildProcess uses setsid): a descendant
        // whose parent exited (re-parented to init) still belongs to the session of the child it came from.
        var children = all.Values.Where(p => p.PPid == self).Select(p => p.Pid).ToHashSet();
        foreach (var process in all.Values)
        {
            if (process.Pid == self) continue;
            var top = TopOf(process, all, self, children);
            if (top is null) continue;
            var group = GroupOf(all[top.Value], roles);
            seconds[group] = seconds.GetValueOrDefault(group) + process.AllTicks / TicksPerSecond;
        }
        return seconds;
    }

    /// <summary>The child of this process that <paramref name="process"/> descends from, or null when it is not ours.</summary>
    static int? TopOf(ProcStat process, Dictionary<int, ProcStat> all, int self, HashSet<int> children)
    {
        var current = process;
        for (var depth = 0; depth < 64; depth++)
        {
            if (current.PPid == self) return current.Pid;
            if (!all.TryGetValue(current.PPid, out var parent)) break;
            current = parent;
        }
        return children.Contains(process.Session) ? process.Session : null;
    }

    static string GroupOf(ProcStat top, IReadOnlyDictionary<int, string> roles)
    {
        if (roles.TryGetValue(top.Pid, out var role)) return role;
        // comm is the executable's name (a script's name for a shell script), at most 15 characters.
        return top.Comm switch
        {
            "postgres" => Postgres,
            "rabbitmq-server" or "beam.smp" or "epmd" => RabbitMq,
            _ => Other,
        };
    }

    sealed record ProcStat(int Pid, int PPid, int Session, string Comm, long SelfTicks, long AllTicks);

    static Dictionary<int, ProcStat> ReadAll()
    {
        var result = new Dictionary<int, ProcStat>();
        string[] directories;
        try
        {
            directories = Directory.GetDirectories("/proc");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return result;
        }
        foreach (var directory in directories)
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            string text;
            try
            {
                text = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // exited while we looked
            }
            if (Parse(pid, text) is { } stat) result[pid] = stat;
        }
        return result;
    }

    /// <summary>"pid (comm) state ppid pgrp session … utime stime cutime cstime …" (proc(5)); comm may hold spaces and parentheses.</summary>
    static ProcStat? Parse(int pid, string text)
    {
        var open = text.IndexOf('(', StringComparison.Ordinal);
        var close = text.LastIndexOf(')');
        if (open < 0 || close < open) return null;
        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 15) return null;
        long F(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
        // After the comm: [0] state, [1] ppid, [2] pgrp, [3] session, …, [11] utime, [12] stime, [13] cutime, [14] cstime.
        var self = F(11) + F(12);
        return new ProcStat(pid, (int)F(1), (int)F(3), text[(open + 1)..close], self, self + F(13) + F(14));
    }

    static double ReadTicksPerSecond()
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true, UseShellExecute = false });
            if (getconf is not null)
            {
                var text = getconf.StandardOutput.ReadToEnd().Trim();
                getconf.WaitForExit();
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var ticks) && ticks > 0) return ticks;
            }
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            // No getconf: Linux has used 100 for USER_HZ on every common architecture.
        }
        return 100;
    }
}

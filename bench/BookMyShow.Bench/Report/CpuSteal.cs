using System.Globalization;

namespace BookMyShow.Bench.Report;

/// <summary>
/// The share of the machine's CPU time the hypervisor gave to other guests ("steal" in <c>/proc/stat</c>) over a
/// stretch of the run: on a shared virtual machine a third of the cores can go elsewhere, and the figures with them.
/// </summary>
public sealed class CpuSteal
{
    readonly long[]? _start = Read();

    /// <summary>Percent of all CPU time since this was created that was stolen; null where /proc/stat is not there.</summary>
    public double? PercentSinceStart()
    {
        var end = Read();
        if (_start is null || end is null) return null;
        var total = end.Sum() - _start.Sum();
        // Fields: user nice system idle iowait irq softirq steal …
        return total <= 0 || end.Length < 8 ? null : 100.0 * (end[7] - _start[7]) / total;
    }

    static long[]? Read()
    {
        try
        {
            var first = File.ReadLines("/proc/stat").First();
            return first.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }
}

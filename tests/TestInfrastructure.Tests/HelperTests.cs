using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace BookMyShow.TestInfrastructure.Tests;

public sealed class DeadlineTests
{
    [Fact]
    public async Task Condition_that_never_holds_times_out_naming_what_was_awaited()
    {
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TimeoutException>(
            () => Deadline.UntilAsync(() => false, TimeSpan.FromMilliseconds(300), "the moon to turn blue"));

        Assert.Contains("the moon to turn blue", error.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Probe_value_is_returned_once_available()
    {
        var calls = 0;

        var value = await Deadline.UntilAsync(
            () => Task.FromResult(++calls >= 3 ? "ready" : null),
            TimeSpan.FromSeconds(5),
            "the third call");

        Assert.Equal("ready", value);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Value_type_probe_returns_its_value()
    {
        var calls = 0;

        var value = await Deadline.UntilAsync(
            () => Task.FromResult<int?>(++calls >= 2 ? 42 : null),
            TimeSpan.FromSeconds(5),
            "the second call");

        Assert.Equal(42, value);
    }
}

public sealed class FreePortTests
{
    [Fact]
    public void Consecutive_ports_are_distinct_and_bindable()
    {
        var ports = Enumerable.Range(0, 20).Select(_ => FreePort.Next()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        using var listener = new TcpListener(IPAddress.Loopback, ports[0]);
        listener.Start();
        listener.Stop();
    }
}

public sealed class ChildProcessTests
{
    [Fact]
    public async Task Printed_line_is_awaited_and_kill_ends_the_process()
    {
        await using var child = ChildProcess.Start(
            "/bin/sh",
            ["-c", "echo \"greeting $GREETING\"; echo oops >&2; exec sleep 60"],
            new Dictionary<string, string?> { ["GREETING"] = "hello" },
            name: "sleeper");

        await child.WaitForOutputAsync("greeting hello", TimeSpan.FromSeconds(10));
        await child.WaitForOutputAsync("oops", TimeSpan.FromSeconds(10));
        child.Kill();
        var exitCode = await child.WaitForExitAsync(TimeSpan.FromSeconds(10));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("[err] oops", child.Tail(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_ending_before_the_awaited_line_fails_fast_with_its_output()
    {
        await using var child = ChildProcess.Start("/bin/sh", ["-c", "echo about to fail; exit 3"], name: "quitter");
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => child.WaitForOutputAsync("never printed", TimeSpan.FromSeconds(30)));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Contains("about to fail", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, await child.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Stop_asks_politely_then_the_process_exits()
    {
        await using var child = ChildProcess.Start(
            "/bin/sh", ["-c", "trap 'echo bye; exit 0' TERM; echo up; while :; do sleep 0.1; done"], name: "polite");
        await child.WaitForOutputAsync("up", TimeSpan.FromSeconds(10));

        var exitCode = await child.StopAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, exitCode);
        Assert.Contains("bye", child.GetOutputLines());
    }

    [Fact]
    public async Task Dotnet_host_is_found_and_runs()
    {
        await using var child = ChildProcess.Start(ChildProcess.DotnetHostPath, ["--list-runtimes"], name: "dotnet");

        Assert.Equal(0, await child.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(child.GetOutputLines(), line => line.StartsWith("Microsoft.NETCore.App", StringComparison.Ordinal));
    }
}

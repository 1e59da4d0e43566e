using BookMyShow.Core.Holds;
using BookMyShow.Gateway.Admission;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BookMyShow.Gateway.Tests.Admission;

[Trait("Tier", "Fast")]
public class PreferHeaderTests
{
    [Theory]
    [InlineData("wait=5", 5)]
    [InlineData("respond-async, wait=10", 10)]
    [InlineData("wait=100", 30)]
    [InlineData("wait=0", 0)]
    [InlineData("wait=-3", 0)]
    [InlineData("wait=soon", 0)]
    [InlineData("return=minimal", 0)]
    public void Wait_preference_is_read_and_capped(string header, int expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), PreferHeader.WaitOf([header], maxSeconds: 30));

    [Fact]
    public void No_prefer_header_means_no_wait() => Assert.Equal(TimeSpan.Zero, PreferHeader.WaitOf([], 30));
}

[Trait("Tier", "Fast")]
public class DrainRatesTests
{
    readonly FakeTimeProvider _time = new();

    DrainRates Rates() => new(_time, Options.Create(new HoldOptions { AssumedDecisionsPerSecond = 200 }));

    [Fact]
    public void Unmeasured_show_uses_the_assumed_rate()
    {
        var rates = Rates();
        Assert.Equal(200, rates.RateOf("s_1"));
        Assert.Equal(5, rates.EstimateWaitSeconds("s_1", 1000));
    }

    [Fact]
    public void Measured_decisions_set_the_rate_and_the_estimate()
    {
        var rates = Rates();
        for (var i = 0; i < 21; i++)
        {
            rates.Record("s_1");
            _time.Advance(TimeSpan.FromMilliseconds(100)); // ten decisions a second
        }

        Assert.InRange(rates.RateOf("s_1"), 9.5, 10.6);
        Assert.Equal(10, rates.EstimateWaitSeconds("s_1", 100));
        Assert.Equal(0, rates.EstimateWaitSeconds("s_1", 0));
    }

    [Fact]
    public void Old_decisions_leave_the_window()
    {
        var rates = Rates();
        rates.Record("s_1");
        rates.Record("s_1");
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(200, rates.RateOf("s_1"));
    }
}

[Trait("Tier", "Fast")]
public class OutcomeNotifierTests
{
    [Fact]
    public async Task Waiter_receives_the_signalled_outcome()
    {
        var notifier = new OutcomeNotifier();
        var waiting = notifier.WaitAsync("request:r_1", TimeSpan.FromSeconds(10), CancellationToken.None);

        notifier.Signal("request:r_1", "decided");

        Assert.Equal("decided", await waiting);
    }

    [Fact]
    public async Task Waiter_gets_null_when_nothing_comes_in_time()
    {
        var notifier = new OutcomeNotifier();
        Assert.Null(await notifier.WaitAsync("request:r_2", TimeSpan.FromMilliseconds(20), CancellationToken.None));
    }

    [Fact]
    public async Task Outcome_signalled_after_watch_and_before_wait_is_not_lost()
    {
        var notifier = new OutcomeNotifier();
        var watched = notifier.Watch("request:r_3");
        notifier.Signal("request:r_3", "early");

        Assert.Equal("early", await notifier.WaitAsync("request:r_3", watched, TimeSpan.FromSeconds(10), CancellationToken.None));
        // A watch started after the signal does not see it.
        Assert.Null(await notifier.WaitAsync("request:r_3", TimeSpan.FromMilliseconds(20), CancellationToken.None));
    }
}

/// <summary>Time-outs without exceptions: first-chance exceptions are process-wide, so this runs with nothing in parallel.</summary>
[Collection(nameof(EventStreamTests))]
[Trait("Tier", "Fast")]
public class OutcomeNotifierTimeoutTests
{
    [Fact]
    public async Task Waits_that_time_out_throw_nothing_and_leave_no_watch()
    {
        var notifier = new OutcomeNotifier();
        var thrown = 0;
        void Count(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e) => Interlocked.Increment(ref thrown);
        AppDomain.CurrentDomain.FirstChanceException += Count;
        try
        {
            for (var i = 0; i < 5; i++)
            {
                Assert.Null(await notifier.WaitAsync($"request:r_quiet_{i}", TimeSpan.FromMilliseconds(10), CancellationToken.None));
                Assert.Null(await OutcomeNotifier.WithinAsync(notifier.Watch("request:r_stream"), TimeSpan.FromMilliseconds(10), CancellationToken.None));
            }
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Count;
        }
        Assert.Equal(0, thrown);
        Assert.Equal(1, notifier.Watching); // the stream's own watch, still open; the timed-out waits left none
    }

    [Fact]
    public async Task A_cancelled_wait_throws_and_leaves_no_watch()
    {
        var notifier = new OutcomeNotifier();
        using var cancelled = new CancellationTokenSource();
        var waiting = notifier.WaitAsync("request:r_gone", TimeSpan.FromSeconds(30), cancelled.Token);
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, notifier.Watching);
    }
}

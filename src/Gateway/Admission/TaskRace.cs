namespace BookMyShow.Gateway.Admission;

/// <summary>
/// Waits for a task for at most a while, by racing a delay against it rather than cancelling the wait: thousands of
/// waiters (an on-sale's streams and <c>Prefer: wait</c> requests) time out every second, and an exception per
/// time-out costs.
/// </summary>
public static class TaskRace
{
    /// <summary>
    /// True when <paramref name="task"/> completes (in any state) within <paramref name="timeout"/>, false when the
    /// time passes or <paramref name="ct"/> is cancelled first. Never throws; the delay's timer is stopped either way.
    /// </summary>
    public static async Task<bool> CompletesWithinAsync(Task task, TimeSpan timeout, CancellationToken ct)
    {
        if (task.IsCompleted) return true;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        await Task.WhenAny(task, Task.Delay(timeout, stop.Token));
        await stop.CancelAsync(); // stops the timer when the task came first
        return task.IsCompleted;
    }
}

using System.Collections.Concurrent;

namespace BookMyShow.Gateway.Admission;

/// <summary>
/// Wakes requests waiting in this gateway for an outcome decided elsewhere (a hold decision, a release). Fed by the
/// gateway's own fan-out queue, so it works whichever gateway admitted the request. A missed signal only costs a
/// waiter its next database check.
/// </summary>
public sealed class OutcomeNotifier
{
    readonly ConcurrentDictionary<string, TaskCompletionSource<object>> _waiters = new();

    /// <summary>Starts watching a key; the returned task completes with its outcome.</summary>
    public Task<object> Watch(string key) =>
        _waiters.GetOrAdd(key, _ => new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Waits for the key's outcome; null when the timeout passes first.</summary>
    public Task<object?> WaitAsync(string key, TimeSpan timeout, CancellationToken ct) => WaitAsync(key, Watch(key), timeout, ct);

    /// <summary>Waits on a watch started earlier (before the work whose outcome it is), so an early outcome is kept.</summary>
    public async Task<object?> WaitAsync(string key, Task<object> task, TimeSpan timeout, CancellationToken ct)
    {
        object? outcome;
        try
        {
            outcome = await WithinAsync(task, timeout, ct);
        }
        catch (OperationCanceledException)
        {
            Forget(key, task);
            throw;
        }
        if (outcome is null) Forget(key, task);
        return outcome;
    }

    /// <summary>
    /// A watch's outcome if it comes within <paramref name="timeout"/>, else null; throws only when <paramref name="ct"/>
    /// is cancelled (see <see cref="TaskRace"/> for why the timeout is not a cancellation).
    /// </summary>
    public static async Task<object?> WithinAsync(Task<object> task, TimeSpan timeout, CancellationToken ct)
    {
        await TaskRace.CompletesWithinAsync(task, timeout, ct);
        ct.ThrowIfCancellationRequested();
        return task.IsCompletedSuccessfully ? task.Result : null;
    }

    public void Signal(string key, object outcome)
    {
        if (_waiters.TryRemove(key, out var tcs)) tcs.TrySetResult(outcome);
    }

    /// <summary>Stops watching a key nobody will wait for.</summary>
    public void Forget(string key) => _waiters.TryRemove(key, out _);

    /// <summary>
    /// Stops a watch that ended without its outcome (the caller gave up, or found nothing to watch), unless the outcome
    /// came meanwhile, so that watches of requests nobody waits for any more do not pile up.
    /// </summary>
    public void Forget(string key, Task<object> task)
    {
        if (_waiters.TryGetValue(key, out var tcs) && tcs.Task == task && !task.IsCompleted)
        {
            _waiters.TryRemove(new KeyValuePair<string, TaskCompletionSource<object>>(key, tcs));
        }
    }

    /// <summary>Watches still open (for tests and diagnostics).</summary>
    public int Watching => _waiters.Count;

    public static string ForRequest(string requestId) => "request:" + requestId;

    public static string ForRelease(string commandId) => "release:" + commandId;

    public static string ForConfirmation(string holdId, string attemptId) => $"confirm:{holdId}:{attemptId}";
}

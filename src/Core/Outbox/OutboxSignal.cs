namespace BookMyShow.Core.Outbox;

/// <summary>Wakes the dispatcher of this process right after a commit that wrote outbox rows.</summary>
public sealed class OutboxSignal : IDisposable
{
    readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); }
            catch (SemaphoreFullException) { /* already signalled */ }
        }
    }

    public void Dispose() => _signal.Dispose();

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}

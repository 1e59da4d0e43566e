using MassTransit;

namespace BookMyShow.Sagas.Tests.Booking;

/// <summary>
/// Every handling of a message by the bus, by message id, also a second handling of the same id (a redelivery), which
/// the harness's consumed list shows only once. Recorded once the handling is over, the saga's work included.
/// </summary>
public sealed class HandledMessages : IConsumeObserver
{
    readonly Lock _gate = new();
    readonly List<(Guid? MessageId, Exception? Failure)> _handled = [];
    TaskCompletionSource _changed = NewSignal();

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class => Record(context.MessageId, null);

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Record(context.MessageId, exception);

    /// <summary>Waits until the message <paramref name="messageId"/> has been handled <paramref name="times"/> times; returns the failures.</summary>
    public async Task<IReadOnlyList<Exception>> WaitAsync(Guid messageId, int times, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var handled = _handled.Where(h => h.MessageId == messageId).ToList();
                if (handled.Count >= times) return handled.Where(h => h.Failure is not null).Select(h => h.Failure!).ToList();
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Message {messageId} was not handled {times} time(s) within {timeout}.");
            }
        }
    }

    Task Record(Guid? messageId, Exception? failure)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _handled.Add((messageId, failure));
            changed = _changed;
            _changed = NewSignal();
        }
        changed.SetResult();
        return Task.CompletedTask;
    }

    static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

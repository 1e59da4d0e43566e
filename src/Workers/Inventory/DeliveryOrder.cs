namespace BookMyShow.Workers.Inventory;

/// <summary>Where a message came from on the broker: the consumer (channel) and the message's delivery tag on it.</summary>
public readonly record struct Delivery(string Consumer, ulong Tag);

/// <summary>
/// Puts a partition's messages back into queue order before they reach its writer (ADR 0022). The partition queue is
/// consumed with several messages in hand at once, so that whatever arrives while a batch is written joins the next
/// batch; but messages handed out side by side reach the writer in whatever order their tasks run. RabbitMQ numbers a
/// consumer's deliveries 1, 2, 3, … in queue order: a message is let through once every earlier one has been, or after
/// <see cref="GapWait"/> if one never comes (a message that failed before reaching the consumer). A retry of a message
/// already let through goes straight on.
/// </summary>
public sealed class DeliveryOrder(Action<PartitionWork> release, TimeProvider time) : IDisposable
{
    public static readonly TimeSpan GapWait = TimeSpan.FromMilliseconds(5);

    readonly Lock _lock = new();
    readonly SortedDictionary<ulong, PartitionWork> _early = [];
    string? _consumer;
    ulong _next = 1;
    ulong _waitingFor;
    ITimer? _gap;

    public void Arrive(Delivery delivery, PartitionWork work)
    {
        lock (_lock)
        {
            if (delivery.Consumer != _consumer)
            {
                // A new channel (a reconnect, a takeover): its numbering starts again at 1.
                ReleaseEarly();
                _consumer = delivery.Consumer;
                _next = 1;
            }
            if (delivery.Tag < _next)
            {
                release(work);
                return;
            }
            _early[delivery.Tag] = work;
            while (_early.Remove(_next, out var next))
            {
                release(next);
                _next++;
            }
            if (_early.Count == 0)
            {
                _gap?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _waitingFor = 0;
            }
            else if (_waitingFor != _next)
            {
                // A new gap (the one before it filled, or none was open): it gets GapWait from now, not from each arrival.
                _waitingFor = _next;
                _gap ??= time.CreateTimer(_ => GapExpired(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _gap.Change(GapWait, Timeout.InfiniteTimeSpan);
            }
        }
    }

    void GapExpired()
    {
        lock (_lock)
        {
            ReleaseEarly();
            _waitingFor = 0;
        }
    }

    /// <summary>Lets everything waiting through, in order, and skips the numbers that never came.</summary>
    void ReleaseEarly()
    {
        foreach (var (tag, work) in _early)
        {
            release(work);
            _next = tag + 1;
        }
        _early.Clear();
    }

    public void Dispose() => _gap?.Dispose();
}

using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Holds;

namespace BookMyShow.Workers.Inventory;

/// <summary>
/// One message's work for a partition (<see cref="PartitionActor"/>): done when the batch it joined has committed, or
/// failed with that batch's error (the message is then retried).
/// </summary>
public abstract class PartitionWork
{
    readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Done => _done.Task;

    /// <summary>
    /// The message may have been handled before (a redelivery or a retry): the database is asked which of its hold
    /// requests are decided already, rather than trusting this process's memory alone.
    /// </summary>
    public bool Careful { get; set; }

    /// <summary>Retried so often that it runs in a batch of its own; a hold request that still fails is answered PROCESSING_FAILED.</summary>
    public bool Isolated { get; set; }

    /// <summary>Where its message came from on the broker, to put it back in queue order; null on a transport without one.</summary>
    public Delivery? Delivery { get; set; }

    /// <summary>The shows the work needs in memory.</summary>
    public abstract IEnumerable<string> ShowIds { get; }

    /// <summary>How much of a batch it takes: its hold requests, or one.</summary>
    public virtual int Size => 1;

    internal void Complete() => _done.TrySetResult();

    internal void Fail(Exception error) => _done.TrySetException(error);
}

public sealed class PlaceWork(IReadOnlyList<PlaceHold> requests) : PartitionWork
{
    public IReadOnlyList<PlaceHold> Requests { get; } = requests;
    public override IEnumerable<string> ShowIds => Requests.Select(r => r.ShowId);
    public override int Size => Math.Max(1, Requests.Count);
}

public sealed class ReleaseWork(ReleaseHold message) : PartitionWork
{
    public ReleaseHold Message { get; } = message;
    public override IEnumerable<string> ShowIds => [Message.ShowId];
}

/// <summary>Expire the due holds of these shows (the backstop's ask, or the saga's with <see cref="IgnoreGrace"/> for the named holds).</summary>
public sealed class ExpireWork(IReadOnlyList<string> showIds, IReadOnlyList<string> holdIds, bool ignoreGrace) : PartitionWork
{
    public IReadOnlyList<string> Shows { get; } = showIds;
    public IReadOnlyList<string> HoldIds { get; } = holdIds;
    public bool IgnoreGrace { get; } = ignoreGrace;
    public override IEnumerable<string> ShowIds => Shows;
}

public sealed class WarnWork(WarnExpiringHolds message) : PartitionWork
{
    public WarnExpiringHolds Message { get; } = message;
    public override IEnumerable<string> ShowIds => [Message.ShowId];
}

public sealed class ProtectWork(ProtectHoldForPayment message) : PartitionWork
{
    public ProtectHoldForPayment Message { get; } = message;
    public override IEnumerable<string> ShowIds => [Message.ShowId];
}

public sealed class ConfirmWork(ConfirmSeats message) : PartitionWork
{
    public ConfirmSeats Message { get; } = message;
    public override IEnumerable<string> ShowIds => [Message.ShowId];
}

using BookMyShow.Core.Persistence;
using BookMyShow.Workers.Inventory.Ledger;

namespace BookMyShow.Workers.Inventory.Store;

/// <summary>When an active hold of a partition comes due: its expiry (payment grace included) and any warning.</summary>
public sealed record HoldTimer(string HoldId, string ShowId, DateTime DueAt, bool IsWarning);

/// <summary>A partition's write was refused because another consumer has taken the partition over since (ADR 0022).</summary>
public sealed class PartitionFencedException(int partition, long epoch)
    : Exception($"Partition {partition} was taken over: epoch {epoch} is no longer current, so its changes were not written.");

/// <summary>
/// A batch decided a hold request that the database already has decided (a copy that came after the first was
/// decided by another consumer or an earlier activation): nothing was written; the batch is decided again after a look.
/// </summary>
public sealed class RequestAlreadyDecidedException()
    : Exception("A hold request in the batch was already decided; the batch was not written.");

/// <summary>
/// Where a partition's seat state lives (ADR 0022): read when a show is first needed, written once per batch. One
/// implementation per database, so the hot path has no provider branches: PostgreSQL writes a batch in one round trip,
/// SQLite (the embedded mode) in one local transaction.
/// </summary>
public interface IPartitionStore
{
    /// <summary>Takes the partition over: the next epoch, which every later write of this owner must still hold.</summary>
    Task<long> ActivateAsync(int partition, string owner, CancellationToken ct);

    /// <summary>A show's seats and active holds, or null when the show does not exist.</summary>
    Task<ShowLedger?> LoadShowAsync(string showId, CancellationToken ct);

    /// <summary>The expiries and warnings of every active hold whose show <paramref name="isOurs"/>.</summary>
    Task<IReadOnlyList<HoldTimer>> LoadTimersAsync(Func<string, bool> isOurs, CancellationToken ct);

    /// <summary>Those of the requests the database has decided already, each as its announcement (a grant or a rejection).</summary>
    Task<IReadOnlyDictionary<string, object>> DecidedRequestsAsync(IReadOnlyCollection<string> requestIds, CancellationToken ct);

    /// <summary>A hold as stored (for a release of a hold the show's ledger does not know).</summary>
    Task<Hold?> FindHoldAsync(string holdId, CancellationToken ct);

    /// <summary>What a confirmation needs besides the ledger; the hold and its booking only when the ledger does not know the hold.</summary>
    Task<ConfirmLookup> ConfirmLookupAsync(string holdId, string attemptId, bool holdKnown, CancellationToken ct);

    /// <summary>
    /// Writes a batch in one transaction, only while <paramref name="epoch"/> is the partition's current one (else
    /// <see cref="PartitionFencedException"/>): seats, holds, seat claims, decided requests (only requests still
    /// undecided, else <see cref="RequestAlreadyDecidedException"/>), bookings, confirm answers, seat map versions and the
    /// outgoing messages as outbox rows that the dispatcher leaves alone until <paramref name="dispatchAfter"/>; and deletes
    /// the rows of messages the partition has sent since its last write.
    /// </summary>
    Task CommitAsync(int partition, long epoch, PartitionChanges changes, IReadOnlyList<OutgoingMessage> outgoing, DateTime dispatchAfter,
        IReadOnlyCollection<Guid> sent, CancellationToken ct);

    /// <summary>Deletes the outbox rows of messages sent (when no batch came along to take it).</summary>
    Task DeleteSentAsync(IReadOnlyCollection<Guid> sent, CancellationToken ct);
}

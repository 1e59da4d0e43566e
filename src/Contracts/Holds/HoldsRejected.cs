namespace BookMyShow.Contracts.Holds;

/// <summary>
/// The rejections of one decision batch in one event: in an on-sale nearly every request of a batch is turned down,
/// and one event per batch instead of one per request spares the outbox, the broker and every gateway thousands of
/// messages. A batch with a single rejection publishes <see cref="HoldRejected"/> itself.
/// </summary>
public record HoldsRejected
{
    public required IReadOnlyList<HoldRejected> Rejections { get; init; }
}

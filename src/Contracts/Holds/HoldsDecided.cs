namespace BookMyShow.Contracts.Holds;

/// <summary>
/// Every hold request one partition batch decided, in one event (ADR 0022): in an on-sale a batch decides hundreds of
/// requests, and one event per batch instead of one per grant or rejection spares the outbox, the broker and every
/// consumer (each gateway, analytics) that many messages. Each item keeps the shape of the single decision it stands
/// for; consumers derive a per-item event id from this message's id and the request id.
/// </summary>
public record HoldsDecided
{
    public required DateTimeOffset DecidedAt { get; init; }
    public required IReadOnlyList<HoldPlaced> Placed { get; init; }
    public required IReadOnlyList<HoldRejected> Rejected { get; init; }
}

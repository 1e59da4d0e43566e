namespace BookMyShow.Contracts.Holds;

/// <summary>
/// The hold clock's ask to one partition: expire the due holds of these shows (all of the partition), in one
/// transaction. <see cref="HoldIds"/> are the due holds the clock saw; the partition checks again and also ends any
/// other hold of the shows due by then. A partition's shows are asked together so that a busy clock tick costs one
/// message and one commit per partition, not per show.
/// </summary>
public record ExpireDueHolds
{
    public required IReadOnlyList<string> ShowIds { get; init; }
    public required IReadOnlyList<string> HoldIds { get; init; }
}

namespace BookMyShow.Contracts.Holds;

/// <summary>
/// Asks the show's partition to send the hold-expiring warning (<c>HoldExpiring</c>) for these holds, those still
/// active, unpaid and not yet warned once their warning time has come.
/// </summary>
public record WarnExpiringHolds
{
    public required string ShowId { get; init; }
    public required IReadOnlyList<string> HoldIds { get; init; }
}

namespace BookMyShow.Contracts.Holds;

/// <summary>Asks the show's partition to expire holds whose time has passed.</summary>
public record ExpireHolds
{
    public required string ShowId { get; init; }
    public required IReadOnlyList<string> HoldIds { get; init; }
    /// <summary>
    /// The booking saga decided these holds end now: expire them once past expires_at even within a payment grace.
    /// The sweep leaves this false and so never cuts a payment short.
    /// </summary>
    public bool IgnorePaymentGrace { get; init; }
}

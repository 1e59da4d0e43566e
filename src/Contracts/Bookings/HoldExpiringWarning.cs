namespace BookMyShow.Contracts.Bookings;

/// <summary>Scheduled by the booking saga a configurable time before expiry.</summary>
public record HoldExpiringWarning
{
    public required string HoldId { get; init; }
}

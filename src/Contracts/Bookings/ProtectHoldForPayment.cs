namespace BookMyShow.Contracts.Bookings;

/// <summary>Keeps a hold's seats from being released while its payment is in flight, at most until the given time.</summary>
public record ProtectHoldForPayment
{
    public required string HoldId { get; init; }
    public required string ShowId { get; init; }
    public required DateTimeOffset Until { get; init; }
}

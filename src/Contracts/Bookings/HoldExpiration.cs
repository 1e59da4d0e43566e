namespace BookMyShow.Contracts.Bookings;

/// <summary>Scheduled by the booking saga for the moment a hold (or its payment grace) runs out.</summary>
public record HoldExpiration
{
    public required string HoldId { get; init; }
}

namespace BookMyShow.Contracts.Bookings;

/// <summary>The partition turned the hold into a booking.</summary>
public record SeatsConfirmed
{
    public required string HoldId { get; init; }
    public required string ShowId { get; init; }
    public required string BookingId { get; init; }
    public required string PaymentIntentId { get; init; }
}

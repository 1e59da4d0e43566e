namespace BookMyShow.Contracts.Holds;

/// <summary>Asks the show's partition to hold seats for a user, all or nothing.</summary>
public record PlaceHold
{
    public required string RequestId { get; init; }
    public required string ShowId { get; init; }
    public required string UserId { get; init; }
    /// <summary>The seats asked for; empty when <see cref="BestAvailable"/> asks the partition to pick them.</summary>
    public required IReadOnlyList<string> SeatIds { get; init; }
    public required DateTimeOffset AdmittedAt { get; init; }
    public BestAvailableSeats? BestAvailable { get; init; }
}

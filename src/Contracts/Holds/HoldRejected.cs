namespace BookMyShow.Contracts.Holds;

/// <summary>A hold request was refused; nothing changed.</summary>
public record HoldRejected
{
    public required string RequestId { get; init; }
    public required string ShowId { get; init; }
    public required string UserId { get; init; }
    public required IReadOnlyList<string> SeatIds { get; init; }
    public required IReadOnlyList<string> UnavailableSeatIds { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset DecidedAt { get; init; }
}

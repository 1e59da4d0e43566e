namespace BookMyShow.Contracts.Holds;

/// <summary>
/// A hold request that names no seats: the partition picks <see cref="Count"/> adjacent seats in one row, the best
/// free ones by place (centre of the row, rows a little behind the middle), optionally only in a section and up to a
/// price per seat.
/// </summary>
public record BestAvailableSeats
{
    public required int Count { get; init; }
    public string? Section { get; init; }
    public decimal? MaxPrice { get; init; }
}

namespace BookMyShow.Contracts.Holds;

/// <summary>
/// The seat maps of the shows whose seats one partition changed since its last such message (at most a few a second
/// per partition), each whole and with its version: gateways keep the newest version they have seen and answer seat
/// map reads from it without reading the database (ADR 0022). Best effort: a lost one is made good by the next
/// change of the show, or by a gateway re-reading a map it has not heard about for a while.
/// </summary>
public record SeatMapsChanged
{
    public required IReadOnlyList<ShowSeatMap> Maps { get; init; }
}

/// <summary>
/// A show's seat states at <see cref="Version"/>: the held seats grouped by the time their hold lapses (a lapsed hold's
/// seats read as available), and the confirmed ones. Every other seat of the show is available.
/// </summary>
public record ShowSeatMap
{
    public required string ShowId { get; init; }
    public required long Version { get; init; }
    public required IReadOnlyList<HeldSeats> Held { get; init; }
    public required IReadOnlyList<string> Confirmed { get; init; }
}

/// <summary>Seats held until <see cref="Until"/> (a hold's effective expiry, payment grace included).</summary>
public record HeldSeats
{
    public required DateTimeOffset Until { get; init; }
    public required IReadOnlyList<string> SeatIds { get; init; }
}

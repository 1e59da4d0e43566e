namespace BookMyShow.Contracts.Bookings;

/// <summary>
/// Holds ran out of time without a booking, ended together in one transaction of their partition (of one show or of
/// several); their seats are available again. One event per expiry, not per hold or per show (ADR 0017): an expiry
/// burst ends thousands of holds, and each consumer (the users' pushes, e-mail, analytics) handles the list at the
/// cost of one message.
/// </summary>
public record BookingsExpired
{
    public required DateTimeOffset ExpiredAt { get; init; }
    public required IReadOnlyList<ExpiredBooking> Bookings { get; init; }
}

/// <summary>One hold of a <see cref="BookingsExpired"/>.</summary>
public record ExpiredBooking
{
    public required string ShowId { get; init; }
    public required string HoldId { get; init; }
    public required string UserId { get; init; }
    public required IReadOnlyList<string> SeatIds { get; init; }
    public required decimal Amount { get; init; }
    public required string Currency { get; init; }
}

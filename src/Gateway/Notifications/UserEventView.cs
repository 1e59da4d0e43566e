namespace BookMyShow.Gateway.Notifications;

/// <summary>What a user's open app is told about their holds and bookings (<c>GET /v1/users/me/events</c>).</summary>
public sealed record UserEventView
{
    /// <summary>The event's message id: the same on every gateway and every redelivery, so clients can drop copies.</summary>
    public required Guid EventId { get; init; }
    /// <summary>booking.held, booking.confirmed, booking.released, booking.expired, booking.refunded or hold.expiring.</summary>
    public required string Type { get; init; }
    public required string HoldId { get; init; }
    public string? BookingId { get; init; }
    public required string ShowId { get; init; }
    public required IReadOnlyList<string> SeatIds { get; init; }
    public required decimal Amount { get; init; }
    public required string Currency { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public string? RefundId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

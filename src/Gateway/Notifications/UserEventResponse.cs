namespace BookMyShow.Gateway.Notifications;

/// <summary>What a user's open app is told about their holds and bookings (<c>GET /v1/users/me/events</c>).</summary>
public sealed record UserEventResponse
{
    /// <summary>The event's message id: the same on every gateway and every redelivery, so clients can drop copies.</summary>
    public required Guid EventId { get; init; }
    /// <summary>
    /// booking.held, booking.confirmed, booking.released, booking.expired, booking.refunded, hold.expiring, or the
    /// decision on one of the user's hold requests: hold_request.held, hold_request.rejected.
    /// </summary>
    public required string Type { get; init; }
    /// <summary>The hold request a hold_request.* event decides.</summary>
    public string? RequestId { get; init; }
    /// <summary>hold_request.*: HELD or REJECTED.</summary>
    public string? Status { get; init; }
    public string? HoldId { get; init; }
    public string? BookingId { get; init; }
    public required string ShowId { get; init; }
    public required IReadOnlyList<string> SeatIds { get; init; }
    public decimal? Amount { get; init; }
    public string? Currency { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public string? RefundId { get; init; }
    /// <summary>hold_request.rejected: why, and which of the seats were taken.</summary>
    public string? Reason { get; init; }
    public IReadOnlyList<string>? UnavailableSeatIds { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

namespace BookMyShow.Gateway.Apis;

/// <summary>The 200 of <c>POST /v1/bookings/confirm</c> (stored with the request and returned verbatim on a retry; see ConfirmAnswers.Confirmed).</summary>
public sealed record ConfirmedBookingResponse(string BookingId, string HoldId, string Status, IReadOnlyList<string> Seats, decimal TotalCharged, string Currency);

/// <summary>The 202 of a confirmation whose outcome did not come within Bookings:ConfirmWait.</summary>
public sealed record ConfirmPendingResponse(string HoldId, string Status, string StatusUrl);

public sealed record BookingResponse(string BookingId, string HoldId, string ShowId, IReadOnlyList<string> Seats, decimal TotalCharged, string Currency, string Status, DateTimeOffset CreatedAt);

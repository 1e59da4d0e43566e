namespace BookMyShow.Gateway.Apis;

/// <summary>Per-show figures for operators: running totals from the booking events, and the seats as they are now.</summary>
public sealed record ShowStatsResponse(string ShowId, SeatCountsResponse Totals, RevenueResponse Revenue, SeatsNowResponse SeatsNow, DateTimeOffset? UpdatedAt);

public sealed record SeatCountsResponse(int HeldSeats, int ConfirmedSeats, int ReleasedSeats, int ExpiredSeats, int RefundedSeats, int Holds, int Bookings, int Refunds);

public sealed record RevenueResponse(decimal Confirmed, decimal Refunded, string? Currency);

public sealed record SeatsNowResponse(int Total, int Available, int Held, int Confirmed);

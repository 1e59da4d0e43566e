namespace BookMyShow.Gateway.Apis;

/// <summary>One seat of a show's seat map (<c>GET /v1/shows/{show_id}/seats</c>), status AVAILABLE, HELD or CONFIRMED.</summary>
public sealed record SeatResponse(string SeatId, string Row, int Number, string Section, decimal Price, string Status);

public sealed record SeatMapResponse(string ShowId, IReadOnlyList<SeatResponse> Seats);

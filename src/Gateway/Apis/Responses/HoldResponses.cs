using BookMyShow.Core.Persistence;

namespace BookMyShow.Gateway.Apis;

/// <summary>A hold as its owner sees it: <c>GET /v1/holds/{hold_id}</c>, the 201 of a hold request with <c>Prefer: wait</c>, inside a HELD request.</summary>
public sealed record HoldResponse(string HoldId, string ShowId, IReadOnlyList<string> SeatIds, DateTimeOffset ExpiresAt, decimal TotalPrice, string Currency, string Status)
{
    /// <summary>NONE, PAYING, PAID, DECLINED, FAILED, REFUNDING or REFUNDED (on GET /v1/holds/{id}).</summary>
    public string? PaymentState { get; init; }
    public string? BookingId { get; init; }
}

/// <summary>The state of a hold request as clients see it (poll and SSE).</summary>
public sealed record HoldRequestStatusResponse
{
    public required string RequestId { get; init; }
    public required string ShowId { get; init; }
    public required IReadOnlyList<string> SeatIds { get; init; }
    /// <summary>For a request that named no seats: what it asked the partition to pick (the hold lists the seats).</summary>
    public BestAvailableResponse? BestAvailable { get; init; }
    public required string Status { get; init; }
    public long? Position { get; init; }
    public int? EstimatedWaitSeconds { get; init; }
    public HoldResponse? Hold { get; init; }
    public string? Reason { get; init; }
    public IReadOnlyList<string>? UnavailableSeatIds { get; init; }
    public required string StatusUrl { get; init; }
    public required string EventsUrl { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsFinal => Status != RequestStatus.Queued;
}

/// <summary>The 202 of a newly admitted hold request: its place in the show's queue.</summary>
public sealed record HoldQueuedResponse(string RequestId, string ShowId, string Status, long Position, int EstimatedWaitSeconds, string StatusUrl, string EventsUrl);

public sealed record ReleaseResponse(string HoldId, string Status, IReadOnlyList<string> SeatsReleased);

/// <summary>A best-available ask as the API shows it: <c>{count, section, max_price}</c>.</summary>
public sealed record BestAvailableResponse(int Count, string? Section, decimal? MaxPrice);

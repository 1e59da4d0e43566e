namespace BookMyShow.Core.Persistence;

public sealed class City
{
    public required string Id { get; set; }
    public required string Name { get; set; }
}

public sealed class Movie
{
    public required string Id { get; set; }
    public required string Title { get; set; }
    public required string Genre { get; set; }
    public int DurationMin { get; set; }
    public required string Language { get; set; }
    public DateOnly ReleaseDate { get; set; }
}

public sealed class Venue
{
    public required string Id { get; set; }
    public required string CityId { get; set; }
    public required string Name { get; set; }
    public required string Address { get; set; }
}

public sealed class Screen
{
    public required string Id { get; set; }
    public required string VenueId { get; set; }
    public required string Name { get; set; }
    public int Capacity { get; set; }
}

/// <summary>A seat of a screen's layout, the same for every show on that screen.</summary>
public sealed class ScreenSeat
{
    public required string ScreenId { get; set; }
    public required string SeatId { get; set; }
    public required string Row { get; set; }
    public int Number { get; set; }
    public required string Section { get; set; }
    public decimal Price { get; set; }
}

public sealed class Show
{
    public required string Id { get; set; }
    public required string MovieId { get; set; }
    public required string ScreenId { get; set; }
    public required string VenueId { get; set; }
    public required string CityId { get; set; }
    /// <summary>UTC start time; holds are taken until the show starts.</summary>
    public DateTime StartsAt { get; set; }
    public required string Currency { get; set; }
    /// <summary>Most seats one user may hold or have booked for the show; null: <c>Holds:MaxSeatsPerUserPerShow</c>.</summary>
    public int? MaxSeatsPerUser { get; set; }
}

public static class SeatStatus
{
    public const string Available = "AVAILABLE";
    public const string Held = "HELD";
    public const string Confirmed = "CONFIRMED";
}

/// <summary>The state of one seat for one show: the source of truth for availability.</summary>
public sealed class ShowSeat
{
    public required string ShowId { get; set; }
    public required string SeatId { get; set; }
    public required string Row { get; set; }
    public int Number { get; set; }
    public required string Section { get; set; }
    public decimal Price { get; set; }
    public required string Status { get; set; }
    public string? HoldId { get; set; }
    public string? UserId { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public string? BookingId { get; set; }
    /// <summary>
    /// The version of the show's seat map that last changed this seat (ADR 0022): a partition moves the show's version on
    /// once per batch that changes its seats and writes it on every seat it changed, so the newest seat's version is the
    /// map's, and a map read from the database and one a partition announced can be told apart by age.
    /// </summary>
    public long Version { get; set; }

    /// <summary>Free now: AVAILABLE, or HELD under a hold whose expiry has passed.</summary>
    public bool IsAvailableAt(DateTime now) =>
        Status == SeatStatus.Available || (Status == SeatStatus.Held && ExpiresAt is { } expires && expires <= now);

    /// <summary>The status a reader sees: a lapsed hold shows as AVAILABLE.</summary>
    public string VisibleStatusAt(DateTime now) => IsAvailableAt(now) ? SeatStatus.Available : Status;
}

public static class HoldStatus
{
    public const string Active = "ACTIVE";
    public const string Released = "RELEASED";
    public const string Expired = "EXPIRED";
    public const string Confirmed = "CONFIRMED";
}

public sealed class Hold
{
    public required string Id { get; set; }
    public required string ShowId { get; set; }
    public required string UserId { get; set; }
    public required string RequestId { get; set; }
    /// <summary>Seat ids in request order, comma separated.</summary>
    public required string SeatIds { get; set; }
    public decimal TotalPrice { get; set; }
    public required string Currency { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public required string Status { get; set; }
    public DateTime? EndedAt { get; set; }
    /// <summary>While a payment is in flight the seats stay held until this time at most, even past expiry.</summary>
    public DateTime? PaymentGraceUntil { get; set; }
    /// <summary>
    /// Someone tried to pay for the hold (its booking saga exists, ADR 15): only then does its expiry concern anyone
    /// but the user, and <c>HoldExpired</c> is published.
    /// </summary>
    public bool PaymentAttempted { get; set; }
    /// <summary>When the hold-expiring warning is due; null when none is (too short a hold) or once it has gone out.</summary>
    public DateTime? WarnAt { get; set; }
    public string? BookingId { get; set; }

    /// <summary>When the seats may be given to someone else.</summary>
    public DateTime EffectiveExpiry => PaymentGraceUntil is { } grace && grace > ExpiresAt ? grace : ExpiresAt;
}

public static class BookingStatus
{
    public const string Confirmed = "CONFIRMED";
}

public sealed class Booking
{
    public required string Id { get; set; }
    public required string HoldId { get; set; }
    public required string ShowId { get; set; }
    public required string UserId { get; set; }
    public required string SeatIds { get; set; }
    public required string PaymentIntentId { get; set; }
    public decimal TotalAmount { get; set; }
    public required string Currency { get; set; }
    public required string Status { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// A confirm request under a client's Idempotency-Key: the request's fingerprint and, once decided, the answer. The
/// answer is written in the same transaction as the outcome it reports.
/// </summary>
public sealed class ConfirmRequest
{
    public required string UserId { get; set; }
    public required string IdempotencyKey { get; set; }
    public required string HoldId { get; set; }
    public required string RequestHash { get; set; }
    public required string AttemptId { get; set; }
    public int? StatusCode { get; set; }
    public string? ResponseBody { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? AnsweredAt { get; set; }
}

/// <summary>
/// One row per seat of a hold. A unique index over (show, seat) among active rows is the database's own
/// guarantee that no seat is in two active holds.
/// </summary>
public sealed class HoldSeat
{
    public required string HoldId { get; set; }
    public required string ShowId { get; set; }
    public required string SeatId { get; set; }
    public bool Active { get; set; }
}

public static class RequestStatus
{
    public const string Queued = "QUEUED";
    public const string Held = "HELD";
    public const string Rejected = "REJECTED";
}

public sealed class HoldRequest
{
    /// <summary>Admission order; also what queue positions are counted by.</summary>
    public long Seq { get; set; }
    public required string Id { get; set; }
    public required string ShowId { get; set; }
    public required string UserId { get; set; }
    public required string SeatIds { get; set; }
    /// <summary>For a request that names no seats: what the partition is to pick (<see cref="Holds.BestAvailableText"/>).</summary>
    public string? BestAvailable { get; set; }
    public string? IdempotencyKey { get; set; }
    public required string Status { get; set; }
    public string? HoldId { get; set; }
    public string? Reason { get; set; }
    public string? UnavailableSeatIds { get; set; }
    public DateTime AdmittedAt { get; set; }
    public DateTime? DecidedAt { get; set; }
}

/// <summary>A message written in the same transaction as the state change it announces.</summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }
    public Guid MessageId { get; set; }
    public required string MessageType { get; set; }
    public required string Body { get; set; }
    /// <summary>Null to publish; otherwise the address to send to.</summary>
    public string? Destination { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Set when the row can never be sent (a type this build does not know); such rows are left for an operator.</summary>
    public DateTime? ParkedAt { get; set; }
    /// <summary>
    /// Rows whose writer sends them itself right after its commit (a partition, ADR 0022) are left to the dispatcher
    /// only from this time on: they are still here then only if the writer died before sending or deleting them.
    /// </summary>
    public DateTime? DispatchAfter { get; set; }
}

/// <summary>
/// The current owner of a partition's seat state (ADR 0022). Each activation of a partition consumer takes the next
/// epoch; every write of a partition checks, under a share lock of this row, that its epoch is still the current one,
/// so a consumer that lost its single-active status can no longer commit.
/// </summary>
public sealed class PartitionEpoch
{
    public int Partition { get; set; }
    public long Epoch { get; set; }
    public required string Owner { get; set; }
    public DateTime ActivatedAt { get; set; }
}

/// <summary>A message a consumer has already handled, so a redelivery has no second effect.</summary>
public sealed class InboxMessage
{
    public required string Consumer { get; set; }
    public Guid MessageId { get; set; }
    public DateTime ProcessedAt { get; set; }
}

/// <summary>Running totals per show, kept by the analytics consumer from booking events.</summary>
public sealed class ShowStats
{
    public required string ShowId { get; set; }
    public int HeldSeats { get; set; }
    public int ConfirmedSeats { get; set; }
    public int ReleasedSeats { get; set; }
    public int ExpiredSeats { get; set; }
    public int RefundedSeats { get; set; }
    public int Holds { get; set; }
    public int Bookings { get; set; }
    public int Refunds { get; set; }
    public decimal Revenue { get; set; }
    public decimal RefundedAmount { get; set; }
    public string? Currency { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>Where to reach a user: the e-mail address from their token, recorded when they hold seats.</summary>
public sealed class UserContact
{
    public required string UserId { get; set; }
    public required string Email { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public static class SeatList
{
    public static string Join(IEnumerable<string> ids) => string.Join(',', ids);

    public static IReadOnlyList<string> Split(string? ids) =>
        string.IsNullOrEmpty(ids) ? [] : ids.Split(',');
}

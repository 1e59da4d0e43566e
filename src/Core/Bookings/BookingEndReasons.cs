using BookMyShow.Core.Persistence;

namespace BookMyShow.Core.Bookings;

/// <summary>
/// Why a booking saga's hold ended without a booking (<see cref="BookingState.EndReason"/>): the hold's status as the
/// partition reported it, or the partition's refusal to confirm. It decides the answer to a late confirmation or
/// payment: 409 for a release, 410 for an expiry, 503 (and a refund) for a missed confirm deadline.
/// </summary>
public static class BookingEndReasons
{
    public const string Expired = HoldStatus.Expired;
    public const string Released = HoldStatus.Released;
    public const string ConfirmDeadlinePassed = SeatsRefusal.DeadlinePassed;
}

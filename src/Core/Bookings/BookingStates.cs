namespace BookMyShow.Core.Bookings;

/// <summary>
/// The booking saga's states as stored in <see cref="BookingState.CurrentState"/>. MassTransit stores a state by the
/// name of its property on the state machine, so these must stay equal to those names (a spec in Sagas.Tests checks
/// it); a renamed state would strand the sagas stored under the old name.
/// </summary>
public static class BookingStates
{
    public const string Held = nameof(Held);
    public const string Paying = nameof(Paying);
    public const string Confirming = nameof(Confirming);
    public const string Confirmed = nameof(Confirmed);
    public const string Released = nameof(Released);
    public const string Expired = nameof(Expired);
    public const string Refunding = nameof(Refunding);
    public const string Refunded = nameof(Refunded);

    public static IReadOnlyList<string> All { get; } = [Held, Paying, Confirming, Confirmed, Released, Expired, Refunding, Refunded];
}

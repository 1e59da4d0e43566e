using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Bookings;
using BookMyShow.Core.Holds;
using BookMyShow.Core.Persistence;
using BookMyShow.Workers.Inventory.Ledger;

namespace BookMyShow.Workers.Tests.Inventory.Ledger;

/// <summary>A show's seat transitions in memory (ADR 0022): no database, no bus.</summary>
[Trait("Tier", "Fast")]
public sealed class ShowLedgerTests
{
    static readonly DateTime Start = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
    static readonly HoldTerms Terms = new(Ttl: TimeSpan.FromMinutes(10), ExpiringWarningBefore: TimeSpan.FromMinutes(2), ConfirmDeadline: TimeSpan.FromMinutes(5));

    static readonly string[] SeatIds = ["A1", "A2", "A3", "A4"];

    static ShowLedger NewShow(DateTime? startsAt = null, int? maxSeatsPerUser = null)
    {
        var show = new Show
        {
            Id = "s_1", MovieId = "m_1", ScreenId = "sc_1", VenueId = "v_1", CityId = "c_1", StartsAt = startsAt ?? Start.AddDays(1), Currency = "INR",
            MaxSeatsPerUser = maxSeatsPerUser,
        };
        var seats = SeatIds.Select(id => new ShowSeat
        {
            ShowId = "s_1", SeatId = id, Row = "A", Number = int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture), Section = "regular",
            Price = 250m, Status = SeatStatus.Available, Version = id == "A4" ? 7 : 0,
        });
        return new ShowLedger(show, seats, []);
    }

    static PlaceHold Request(string id, string user, params string[] seats) =>
        new() { RequestId = id, ShowId = "s_1", UserId = user, SeatIds = seats, AdmittedAt = new DateTimeOffset(Start, TimeSpan.Zero) };

    static PartitionChanges At(DateTime now) => new(now, Terms);

    /// <summary>Everything the batch would send: its outbox messages and the announcement of its decisions.</summary>
    static IEnumerable<object> Sent(PartitionChanges changes) => changes.Outgoing().Append(changes.Decisions()).OfType<OutgoingMessage>().Select(m => m.Message);

    static T Single<T>(PartitionChanges changes) where T : class => Assert.Single(Sent(changes).OfType<T>());

    static Hold Grant(ShowLedger show, string requestId, string user, DateTime now, params string[] seats) =>
        show.Decide(Request(requestId, user, seats), At(now)) ?? throw new InvalidOperationException("not granted");

    [Fact]
    public void A_request_is_granted_all_or_nothing_and_the_batch_moves_the_map_one_version_on()
    {
        var show = NewShow();
        var changes = At(Start);

        var hold = show.Decide(Request("r_1", "u_1", "A1", "A2"), changes);
        var refused = show.Decide(Request("r_2", "u_2", "A2", "A3"), changes);

        Assert.NotNull(hold);
        Assert.Null(refused);
        Assert.Equal((500m, Start + Terms.Ttl, Start + Terms.Ttl - Terms.ExpiringWarningBefore), (hold.TotalPrice, hold.ExpiresAt, hold.WarnAt));
        Assert.Equal([(SeatStatus.Held, hold.Id), (SeatStatus.Held, hold.Id), (SeatStatus.Available, null)],
            SeatIds.Take(3).Select(id => (show.Seats[id].Status, show.Seats[id].HoldId)));
        var decided = Single<HoldsDecided>(changes);
        Assert.Equal("r_1", Assert.Single(decided.Placed).RequestId);
        var rejected = Assert.Single(decided.Rejected);
        Assert.Equal(("r_2", RejectionReasons.SeatsUnavailable, "A2"), (rejected.RequestId, rejected.Reason, string.Join(',', rejected.UnavailableSeatIds)));
        Assert.Equal([RequestStatus.Held, RequestStatus.Rejected], changes.Requests.Select(r => r.Status));
        Assert.Equal(8, show.Version);
        Assert.Equal(["s_1"], changes.TouchedShows.Select(s => s.ShowId));
    }

    [Fact]
    public void Unknown_seats_and_a_started_show_are_rejected()
    {
        var started = NewShow(startsAt: Start.AddMinutes(-1));
        var changes = At(Start);

        Assert.Null(started.Decide(Request("r_late", "u_1", "A1"), changes));
        Assert.Null(NewShow().Decide(Request("r_odd", "u_1", "A1", "Z9"), changes));

        var rejected = Single<HoldsDecided>(changes).Rejected;
        Assert.Equal([(RejectionReasons.ShowNotOnSale, "A1"), (RejectionReasons.SeatsUnavailable, "Z9")], rejected.Select(r => (r.Reason, string.Join(',', r.UnavailableSeatIds))));
        Assert.Empty(changes.Seats);
    }

    [Fact]
    public void A_lapsed_hold_is_expired_and_announced_when_its_seat_is_granted_again()
    {
        var show = NewShow();
        var old = Grant(show, "r_old", "u_1", Start, "A1", "A2");
        var later = Start + Terms.Ttl;
        var changes = At(later);

        var fresh = show.Decide(Request("r_new", "u_2", "A1"), changes);

        Assert.NotNull(fresh);
        Assert.Equal((HoldStatus.Expired, later), (old.Status, old.EndedAt));
        Assert.Equal(SeatStatus.Available, show.Seats["A2"].Status);
        Assert.Equal(old.Id, Assert.Single(Single<BookingsExpired>(changes).Bookings).HoldId);
        Assert.Equal([old.Id], changes.EndedHoldIds);
        Assert.Equal([fresh.Id], changes.NewHolds.Select(h => h.Id));
        Assert.Equal(9, show.Seats["A1"].Version); // the map's version of the last change: two batches after the loaded 7
    }

    [Fact]
    public void A_hold_granted_and_ended_in_one_batch_is_written_once_with_its_end()
    {
        var show = NewShow();
        var changes = At(Start);
        var hold = show.Decide(Request("r_1", "u_1", "A1"), changes)!;

        show.Release(new ReleaseHold { CommandId = "c_1", HoldId = hold.Id, ShowId = "s_1", UserId = "u_1" }, stored: null, changes);

        Assert.Equal(HoldStatus.Released, Assert.Single(changes.NewHolds).Status);
        Assert.Empty(changes.ChangedHolds);
        Assert.Empty(changes.EndedHoldIds);
    }

    [Fact]
    public void The_owner_releases_once_a_repeat_answers_the_same_and_a_stranger_is_refused()
    {
        var show = NewShow();
        var hold = Grant(show, "r_1", "u_1", Start, "A1", "A2");
        var changes = At(Start.AddMinutes(1));

        show.Release(new ReleaseHold { CommandId = "c_stranger", HoldId = hold.Id, ShowId = "s_1", UserId = "u_2" }, null, changes);
        show.Release(new ReleaseHold { CommandId = "c_owner", HoldId = hold.Id, ShowId = "s_1", UserId = "u_1" }, null, changes);
        show.Release(new ReleaseHold { CommandId = "c_again", HoldId = hold.Id, ShowId = "s_1", UserId = "u_1" }, null, changes);

        var messages = Sent(changes).ToList();
        Assert.Equal("NOT_FOUND", Assert.Single(messages.OfType<HoldReleaseRefused>()).HoldStatus);
        Assert.Equal(["c_owner", "c_again"], messages.OfType<HoldReleased>().Select(r => r.CommandId));
        Assert.Single(messages.OfType<BookingReleased>());
        Assert.All(show.Seats.Values, s => Assert.Equal(SeatStatus.Available, s.Status));
    }

    [Fact]
    public void A_payment_in_flight_keeps_the_seats_past_expiry_until_its_grace_ends()
    {
        var show = NewShow();
        var hold = Grant(show, "r_1", "u_1", Start, "A1");
        var until = hold.ExpiresAt.AddMinutes(1);
        Assert.True(show.Protect(new ProtectHoldForPayment { HoldId = hold.Id, ShowId = "s_1", Until = until }, At(Start.AddMinutes(5))));

        Assert.False(show.ExpireIfDue(hold.Id, At(hold.ExpiresAt)));
        Assert.Null(show.Decide(Request("r_2", "u_2", "A1"), At(hold.ExpiresAt))); // still kept for the payment
        var expiry = At(until);
        Assert.True(show.ExpireIfDue(hold.Id, expiry));

        // Someone tried to pay: the saga hears of the expiry too.
        Assert.Equal(hold.Id, Single<HoldExpired>(expiry).HoldId);
        Assert.Equal(hold.Id, Assert.Single(Single<BookingsExpired>(expiry).Bookings).HoldId);
    }

    [Fact]
    public void The_saga_may_end_a_hold_within_its_grace_once_past_its_own_expiry()
    {
        var show = NewShow();
        var hold = Grant(show, "r_1", "u_1", Start, "A1");
        show.Protect(new ProtectHoldForPayment { HoldId = hold.Id, ShowId = "s_1", Until = hold.ExpiresAt.AddMinutes(1) }, At(Start));
        var changes = At(hold.ExpiresAt);

        Assert.Equal(0, show.ExpireDue(changes));
        Assert.Equal(1, show.ExpireDue(changes, ignoreGraceOf: [hold.Id]));
        Assert.Equal(HoldStatus.Expired, hold.Status);
    }

    [Fact]
    public void A_confirmation_books_the_seats_answers_the_request_and_a_repeat_says_so_again()
    {
        var show = NewShow();
        var hold = Grant(show, "r_1", "u_1", Start, "A1", "A2");
        var request = new ConfirmRequest { UserId = "u_1", IdempotencyKey = "k_1", HoldId = hold.Id, RequestHash = "x", AttemptId = "a_1" };
        var confirm = new ConfirmSeats
        {
            HoldId = hold.Id, ShowId = "s_1", UserId = "u_1", BookingId = "b_1", AttemptId = "a_1", PaymentIntentId = "pi_1", Amount = 500m, Currency = "INR",
            PaidAt = new DateTimeOffset(Start.AddMinutes(3), TimeSpan.Zero),
        };
        var changes = At(Start.AddMinutes(3));

        show.Confirm(confirm, new ConfirmLookup(request, null, null), changes);
        show.Confirm(confirm, new ConfirmLookup(request, null, null), changes);

        Assert.All(SeatIds.Take(2), id => Assert.Equal((SeatStatus.Confirmed, "b_1"), (show.Seats[id].Status, show.Seats[id].BookingId)));
        Assert.Equal((HoldStatus.Confirmed, "b_1"), (hold.Status, hold.BookingId));
        Assert.Equal("b_1", Assert.Single(changes.Bookings).Id);
        Assert.Equal(200, Assert.Single(changes.Answers).StatusCode);
        var messages = Sent(changes).ToList();
        Assert.Equal(["b_1", "b_1"], messages.OfType<SeatsConfirmed>().Select(s => s.BookingId));
        Assert.Single(messages.OfType<BookingConfirmed>());
        Assert.Single(messages.OfType<ConfirmationAnswered>());
        Assert.Empty(show.ActiveHolds);
    }

    [Fact]
    public void A_confirmation_of_a_lapsed_hold_or_a_late_payment_is_refused_and_the_seats_come_back_unannounced()
    {
        var show = NewShow();
        var lapsed = Grant(show, "r_1", "u_1", Start, "A1");
        var late = Grant(show, "r_2", "u_2", Start, "A2");
        ConfirmSeats Confirm(Hold hold, DateTime paidAt) => new()
        {
            HoldId = hold.Id, ShowId = "s_1", UserId = hold.UserId, BookingId = "b_" + hold.Id, AttemptId = "a", PaymentIntentId = "pi", Amount = 250m, Currency = "INR",
            PaidAt = new DateTimeOffset(paidAt, TimeSpan.Zero),
        };
        show.Protect(new ProtectHoldForPayment { HoldId = late.Id, ShowId = "s_1", Until = Start.AddMinutes(20) }, At(Start));
        var changes = At(Start.AddMinutes(11));

        show.Confirm(Confirm(lapsed, Start.AddMinutes(11)), new ConfirmLookup(null, null, null), changes);
        show.Confirm(Confirm(late, Start.AddMinutes(5)), new ConfirmLookup(null, null, null), changes);

        var refusals = Sent(changes).OfType<SeatsConfirmRefused>().Select(r => r.HoldStatus).ToList();
        Assert.Equal([HoldStatus.Expired, SeatsRefusal.DeadlinePassed], refusals);
        Assert.Equal((HoldStatus.Expired, HoldStatus.Released), (lapsed.Status, late.Status));
        Assert.Equal(0, changes.ExpiredCount); // the saga refunds and tells the user (ADR 15)
        Assert.Empty(changes.Bookings);
        Assert.All(show.Seats.Values, s => Assert.Equal(SeatStatus.Available, s.Status));
    }

    [Fact]
    public void The_expiring_warning_goes_out_once_in_its_time_and_not_for_a_hold_being_paid()
    {
        var show = NewShow();
        var unpaid = Grant(show, "r_1", "u_1", Start, "A1");
        var paying = Grant(show, "r_2", "u_2", Start, "A2");
        show.Protect(new ProtectHoldForPayment { HoldId = paying.Id, ShowId = "s_1", Until = Start.AddMinutes(11) }, At(Start));

        Assert.Equal(0, show.Warn([unpaid.Id, paying.Id], At(Start.AddMinutes(7))));
        Assert.Equal(1, show.Warn([unpaid.Id, paying.Id], At(Start.AddMinutes(8))));
        Assert.Equal(0, show.Warn([unpaid.Id, paying.Id], At(Start.AddMinutes(9))));
        Assert.Null(unpaid.WarnAt);
        Assert.NotNull(paying.WarnAt);
    }

    [Fact]
    public void The_seat_map_lists_held_seats_with_when_they_lapse_and_confirmed_ones()
    {
        var show = NewShow();
        var held = Grant(show, "r_1", "u_1", Start, "A1", "A2");
        var booked = Grant(show, "r_2", "u_2", Start, "A3");
        show.Confirm(new ConfirmSeats
        {
            HoldId = booked.Id, ShowId = "s_1", UserId = "u_2", BookingId = "b_1", AttemptId = "a", PaymentIntentId = "pi", Amount = 250m, Currency = "INR",
        }, new ConfirmLookup(null, null, null), At(Start));

        var map = show.SeatMap();

        Assert.Equal(show.Version, map.Version);
        var heldSeats = Assert.Single(map.Held);
        Assert.Equal((held.ExpiresAt, "A1,A2"), (heldSeats.Until.UtcDateTime, string.Join(',', heldSeats.SeatIds)));
        Assert.Equal(["A3"], map.Confirmed);
    }

    [Fact]
    public void One_user_gets_at_most_the_shows_cap_across_holds_and_bookings_and_a_release_or_lapse_gives_room_back()
    {
        var show = NewShow(maxSeatsPerUser: 3);
        var first = Grant(show, "r_1", "u_greedy", Start, "A1", "A2");
        show.Confirm(new ConfirmSeats
        {
            HoldId = first.Id, ShowId = "s_1", UserId = "u_greedy", BookingId = "b_1", AttemptId = "a", PaymentIntentId = "pi", Amount = 500m, Currency = "INR",
        }, new ConfirmLookup(null, null, null), At(Start));
        var second = Grant(show, "r_2", "u_greedy", Start, "A3");
        var changes = At(Start.AddMinutes(1));

        Assert.Null(show.Decide(Request("r_3", "u_greedy", "A4"), changes));
        Assert.NotNull(show.Decide(Request("r_4", "u_other", "A4"), changes));

        var rejected = Assert.Single(Single<HoldsDecided>(changes).Rejected);
        Assert.Equal(("r_3", RejectionReasons.SeatLimitReached), (rejected.RequestId, rejected.Reason));
        Assert.Equal(3, show.SeatsOf("u_greedy", Start.AddMinutes(1)));
        // The hold that ran out no longer counts, even before it is ended.
        Assert.Equal(2, show.SeatsOf("u_greedy", second.ExpiresAt));
    }

    [Fact]
    public void Without_a_cap_of_its_own_a_show_takes_the_configured_one()
    {
        var show = NewShow();
        var changes = new PartitionChanges(Start, Terms with { MaxSeatsPerUser = 2 });

        Assert.NotNull(show.Decide(Request("r_1", "u_1", "A1", "A2"), changes));
        Assert.Null(show.Decide(Request("r_2", "u_1", "A3"), changes));
    }

    [Fact]
    public void A_best_available_request_is_granted_the_seats_picked_in_its_turn_and_refused_with_its_reason_when_none_fit()
    {
        var show = NewShow();
        var changes = At(Start);
        static PlaceHold Best(string id, string user, int count) =>
            new() { RequestId = id, ShowId = "s_1", UserId = user, SeatIds = [], BestAvailable = new BestAvailableSeats { Count = count }, AdmittedAt = new DateTimeOffset(Start, TimeSpan.Zero) };

        var hold = show.Decide(Best("r_1", "u_1", 2), changes);
        var refused = show.Decide(Best("r_2", "u_2", 3), changes);

        Assert.NotNull(hold);
        Assert.Equal(2, hold.SeatIds.Split(',').Length);
        Assert.Null(refused);
        Assert.Equal(("r_2", RejectionReasons.NotEnoughSeats), Assert.Single(Single<HoldsDecided>(changes).Rejected) is var r ? (r.RequestId, r.Reason) : default);
        Assert.Equal(2, show.Seats.Values.Count(s => s.HoldId == hold.Id));
    }
}

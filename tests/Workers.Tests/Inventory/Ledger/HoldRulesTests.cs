using BookMyShow.Core.Persistence;
using BookMyShow.Workers.Inventory.Ledger;

namespace BookMyShow.Workers.Tests.Inventory.Ledger;

[Trait("Tier", "Fast")]
public class HoldRulesTests
{
    static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    static ShowSeat Seat(string id, string status = SeatStatus.Available, string? holdId = null, DateTime? expiresAt = null) => new()
    {
        ShowId = "s_1", SeatId = id, Row = id[..1], Number = int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture),
        Section = "regular", Price = 250, Status = status, HoldId = holdId, ExpiresAt = expiresAt,
    };

    static Dictionary<string, ShowSeat> Map(params ShowSeat[] seats) => seats.ToDictionary(s => s.SeatId);

    [Fact]
    public void Request_for_available_seats_is_granted()
    {
        var decision = HoldRules.Decide(["A1", "A2"], Map(Seat("A1"), Seat("A2"), Seat("A3")), Now);

        Assert.True(decision.Granted);
        Assert.Empty(decision.UnavailableSeatIds);
        Assert.Empty(decision.LapsedHoldIds);
    }

    [Fact]
    public void Hold_of_taken_seat_is_rejected_with_the_taken_seats()
    {
        var seats = Map(Seat("A1"), Seat("A2", SeatStatus.Held, "h_other", Now.AddMinutes(5)), Seat("A3", SeatStatus.Confirmed));

        var decision = HoldRules.Decide(["A1", "A2", "A3"], seats, Now);

        Assert.False(decision.Granted);
        Assert.Equal(["A2", "A3"], decision.UnavailableSeatIds);
    }

    [Fact]
    public void Unknown_seat_makes_the_whole_request_fail()
    {
        var decision = HoldRules.Decide(["A1", "Z9"], Map(Seat("A1")), Now);

        Assert.False(decision.Granted);
        Assert.Equal(["Z9"], decision.UnavailableSeatIds);
    }

    [Fact]
    public void Seat_of_a_lapsed_hold_is_available_and_the_lapsed_hold_is_named_once()
    {
        var seats = Map(Seat("A1", SeatStatus.Held, "h_old", Now.AddSeconds(-1)), Seat("A2", SeatStatus.Held, "h_old", Now.AddSeconds(-1)));

        var decision = HoldRules.Decide(["A1", "A2"], seats, Now);

        Assert.True(decision.Granted);
        Assert.Equal(["h_old"], decision.LapsedHoldIds);
    }

    [Fact]
    public void Hold_expiring_exactly_now_has_lapsed_but_one_expiring_later_has_not()
    {
        Assert.True(Seat("A1", SeatStatus.Held, "h", Now).IsAvailableAt(Now));
        Assert.False(Seat("A1", SeatStatus.Held, "h", Now.AddTicks(1)).IsAvailableAt(Now));
        Assert.Equal(SeatStatus.Held, Seat("A1", SeatStatus.Held, "h", Now.AddTicks(1)).VisibleStatusAt(Now));
        Assert.Equal(SeatStatus.Available, Seat("A1", SeatStatus.Held, "h", Now).VisibleStatusAt(Now));
    }
}

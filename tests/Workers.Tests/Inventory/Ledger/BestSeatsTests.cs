using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Holds;
using BookMyShow.Core.Persistence;
using BookMyShow.Workers.Inventory.Ledger;

namespace BookMyShow.Workers.Tests.Inventory.Ledger;

/// <summary>Best-available picks (issue 20): adjacent, best by place, never stranding a single seat, refusals named.</summary>
[Trait("Tier", "Fast")]
public class BestSeatsTests
{
    static readonly DateTime Now = new(2026, 12, 3, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>A house of <paramref name="rows"/> rows (A, B, …) of <paramref name="perRow"/> seats; rows listed in <paramref name="premium"/> are premium at 500, the rest 250.</summary>
    static Dictionary<string, ShowSeat> House(int rows, int perRow, string premium = "")
    {
        var seats = new Dictionary<string, ShowSeat>();
        for (var r = 0; r < rows; r++)
        {
            var row = ((char)('A' + r)).ToString();
            for (var n = 1; n <= perRow; n++)
            {
                var isPremium = premium.Contains(row, StringComparison.Ordinal);
                seats[$"{row}{n}"] = new ShowSeat
                {
                    ShowId = "s_1", SeatId = $"{row}{n}", Row = row, Number = n, Section = isPremium ? "premium" : "standard",
                    Price = isPremium ? 500 : 250, Status = SeatStatus.Available,
                };
            }
        }
        return seats;
    }

    static void Take(Dictionary<string, ShowSeat> seats, params string[] ids)
    {
        foreach (var id in ids) seats[id].Status = SeatStatus.Confirmed;
    }

    static BestAvailableSeats Ask(int count, string? section = null, decimal? maxPrice = null) => new() { Count = count, Section = section, MaxPrice = maxPrice };

    [Fact]
    public void Empty_house_gives_the_centre_of_the_row_a_little_behind_the_middle()
    {
        var (seats, refusal) = BestSeats.Pick(House(rows: 6, perRow: 10), Ask(2), Now);

        Assert.Null(refusal);
        Assert.Equal(["D5", "D6"], seats);
    }

    [Fact]
    public void Picked_seats_are_adjacent_in_one_row_and_next_ask_gets_the_next_best()
    {
        var house = House(rows: 6, perRow: 10);
        var (first, _) = BestSeats.Pick(house, Ask(4), Now);
        Take(house, [.. first]);

        var (second, refusal) = BestSeats.Pick(house, Ask(4), Now);

        Assert.Equal(["D4", "D5", "D6", "D7"], first);
        Assert.Null(refusal);
        Assert.Empty(second.Intersect(first));
        Assert.Single(second.Select(s => s[0]).Distinct());
        var numbers = second.Select(s => int.Parse(s[1..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(numbers[0], 4), numbers);
    }

    [Fact]
    public void Never_leaves_a_single_seat_between_taken_ones()
    {
        // One row of 6, seats 1 and 6 taken: the centre pair 3-4 would strand 2 and 5; 2-3 or 4-5 leaves a pair.
        var house = House(rows: 1, perRow: 6);
        Take(house, "A1", "A6");

        var (seats, refusal) = BestSeats.Pick(house, Ask(2), Now);
        Take(house, [.. seats]);
        var (next, nextRefusal) = BestSeats.Pick(house, Ask(2), Now);

        Assert.Null(refusal);
        Assert.True(seats.SequenceEqual(["A2", "A3"]) || seats.SequenceEqual(["A4", "A5"]), string.Join(",", seats));
        Assert.Null(nextRefusal);
        Assert.Empty(house.Values.Where(s => s.Status == SeatStatus.Available).Except(next.Select(id => house[id])));
    }

    [Fact]
    public void A_block_that_would_strand_a_seat_is_refused_as_no_adjacent_seats()
    {
        // A3 free between taken seats, A4–A6 free: two of them would strand the third.
        var house = House(rows: 1, perRow: 6);
        Take(house, "A1", "A2");

        var (seats, refusal) = BestSeats.Pick(house, Ask(3), Now);
        var (pair, pairRefusal) = BestSeats.Pick(house, Ask(2), Now);

        Assert.Empty(seats);
        Assert.Equal(RejectionReasons.NoAdjacentSeats, refusal);
        Assert.Null(pairRefusal);
        Assert.True(pair.SequenceEqual(["A3", "A4"]) || pair.SequenceEqual(["A5", "A6"]));
    }

    [Fact]
    public void Enough_free_seats_but_none_together_is_no_adjacent_seats_and_too_few_is_not_enough_seats()
    {
        var house = House(rows: 2, perRow: 4);
        Take(house, "A2", "A4", "B2", "B4");

        var (_, apart) = BestSeats.Pick(house, Ask(2), Now);
        var (_, tooFew) = BestSeats.Pick(house, Ask(5), Now);

        Assert.Equal(RejectionReasons.NoAdjacentSeats, apart);
        Assert.Equal(RejectionReasons.NotEnoughSeats, tooFew);
    }

    [Fact]
    public void Section_and_price_limit_the_choice()
    {
        var house = House(rows: 6, perRow: 10, premium: "AB");

        var (premium, _) = BestSeats.Pick(house, Ask(2, section: "premium"), Now);
        var (cheap, _) = BestSeats.Pick(house, Ask(2, maxPrice: 300), Now);
        var (_, refusal) = BestSeats.Pick(house, Ask(2, section: "premium", maxPrice: 300), Now);

        Assert.All(premium, s => Assert.Equal("premium", house[s].Section));
        Assert.All(cheap, s => Assert.True(house[s].Price <= 300));
        Assert.Equal(RejectionReasons.NotEnoughSeats, refusal);
    }

    [Fact]
    public void Seat_under_a_lapsed_hold_counts_as_free()
    {
        var house = House(rows: 1, perRow: 2);
        foreach (var seat in house.Values)
        {
            seat.Status = SeatStatus.Held;
            seat.HoldId = "h_old";
            seat.ExpiresAt = Now.AddSeconds(-1);
        }

        var (seats, refusal) = BestSeats.Pick(house, Ask(2), Now);

        Assert.Null(refusal);
        Assert.Equal(["A1", "A2"], seats);
    }

    [Fact]
    public void Ask_text_round_trips()
    {
        var ask = Ask(4, "premium", 499.5m);

        Assert.Equal(ask, BestAvailableText.Parse(BestAvailableText.Format(ask)));
        Assert.Equal(Ask(2), BestAvailableText.Parse(BestAvailableText.Format(Ask(2))));
        Assert.Null(BestAvailableText.Parse(null));
    }
}

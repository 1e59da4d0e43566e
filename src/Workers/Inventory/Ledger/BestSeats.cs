using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Holds;
using BookMyShow.Core.Persistence;

namespace BookMyShow.Workers.Inventory.Ledger;

/// <summary>
/// Picks the seats of a best-available ask (issue 20): <c>count</c> adjacent free seats in one row (of the section and
/// under the price asked for), best by place — the centre of the row, and rows a little behind the middle of the house
/// — and never leaving a single free seat stranded between the block and a taken seat or the end of the row. Pure: the
/// partition applies it to a show's seats as the requests before it left them, in arrival order like any request.
/// </summary>
public static class BestSeats
{
    /// <summary>Where in the house (0 the front row, 1 the back) the best rows are.</summary>
    const double BestRowDepth = 0.6;

    public static (IReadOnlyList<string> SeatIds, string? Refusal) Pick(IReadOnlyDictionary<string, ShowSeat> seats, BestAvailableSeats ask, DateTime now)
    {
        bool Eligible(ShowSeat s) => s.IsAvailableAt(now) && (ask.Section is null || s.Section == ask.Section) && (ask.MaxPrice is not { } max || s.Price <= max);

        var rows = seats.Values
            .GroupBy(s => s.Row)
            .OrderBy(g => g.Key.Length).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.OrderBy(s => s.Number).ToList())
            .ToList();
        List<string>? best = null;
        var bestScore = double.MaxValue;
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            var byNumber = row.ToDictionary(s => s.Number);
            var rowCentre = (row[0].Number + row[^1].Number) / 2.0;
            var rowWidth = Math.Max(1, row[^1].Number - row[0].Number + 1);
            var depth = rows.Count == 1 ? 0 : Math.Abs((double)r / (rows.Count - 1) - BestRowDepth);
            for (var i = 0; i + ask.Count <= row.Count; i++)
            {
                var first = row[i].Number;
                var block = row.GetRange(i, ask.Count);
                if (block[^1].Number - first != ask.Count - 1 || !block.All(Eligible)) continue;
                if (Strands(byNumber, first - 1, first - 2, now) || Strands(byNumber, first + ask.Count, first + ask.Count + 1, now)) continue;
                var score = Math.Abs(first + (ask.Count - 1) / 2.0 - rowCentre) / rowWidth + depth;
                if (score < bestScore)
                {
                    bestScore = score;
                    best = block.Select(s => s.SeatId).ToList();
                }
            }
        }
        if (best is not null) return (best, null);
        var free = seats.Values.Count(Eligible);
        return ([], free >= ask.Count ? RejectionReasons.NoAdjacentSeats : RejectionReasons.NotEnoughSeats);
    }

    /// <summary>Whether the seat next to the block is free with nothing free beyond it: it would be left alone.</summary>
    static bool Strands(Dictionary<int, ShowSeat> row, int next, int beyond, DateTime now) =>
        row.TryGetValue(next, out var neighbour) && neighbour.IsAvailableAt(now)
        && (!row.TryGetValue(beyond, out var further) || !further.IsAvailableAt(now));
}

using System.Text.Json;

namespace BookMyShow.Bench.Load;

public sealed record SeatInfo(string SeatId, string Row, int Number, bool Available);

/// <summary>
/// One show's seat map as the users last saw it. Users pick 1–4 adjacent seats (same row, consecutive numbers) that
/// were available in this copy; they never see each other's choices, as people in a real on-sale do not.
/// </summary>
public sealed class SeatView
{
    volatile Dictionary<string, SortedSet<int>> _availableByRow = new();
    volatile IReadOnlyList<string> _rows = [];

    public SeatView(string showId) => ShowId = showId;

    public string ShowId { get; }

    public int AvailableCount { get; private set; }

    public void Update(IEnumerable<SeatInfo> seats)
    {
        var byRow = new Dictionary<string, SortedSet<int>>();
        var rows = new List<string>();
        var count = 0;
        foreach (var seat in seats)
        {
            if (!byRow.TryGetValue(seat.Row, out var numbers))
            {
                byRow[seat.Row] = numbers = [];
                rows.Add(seat.Row);
            }
            if (seat.Available)
            {
                numbers.Add(seat.Number);
                count++;
            }
        }
        _availableByRow = byRow;
        _rows = rows;
        AvailableCount = count;
    }

    /// <summary>
    /// Wants 1–4 seats, takes the largest run up to that size that this copy shows free in a random row; when the
    /// map shows nothing free the user still tries (and will be turned down) with a random block.
    /// </summary>
    public IReadOnlyList<string> Pick(Random random)
    {
        var byRow = _availableByRow;
        var rows = _rows;
        if (rows.Count == 0) throw new InvalidOperationException($"No seat map for {ShowId}.");
        var wanted = random.Next(1, 5);
        for (var size = wanted; size >= 1; size--)
        {
            var starts = new List<(string Row, int Start)>();
            foreach (var row in rows)
            {
                var numbers = byRow[row];
                foreach (var n in numbers)
                {
                    var fits = true;
                    for (var k = 1; k < size && fits; k++) fits = numbers.Contains(n + k);
                    if (fits) starts.Add((row, n));
                }
            }
            if (starts.Count > 0)
            {
                var (row, start) = starts[random.Next(starts.Count)];
                return Enumerable.Range(start, size).Select(n => $"{row}{n}").ToList();
            }
        }
        var anyRow = rows[random.Next(rows.Count)];
        var first = random.Next(1, 21 - wanted + 1);
        return Enumerable.Range(first, wanted).Select(n => $"{anyRow}{n}").ToList();
    }

    public static IReadOnlyList<SeatInfo> Parse(JsonElement map) =>
        map.GetProperty("seats").EnumerateArray().Select(s => new SeatInfo(
            s.GetProperty("seat_id").GetString()!,
            s.GetProperty("row").GetString()!,
            s.GetProperty("number").GetInt32(),
            s.GetProperty("status").GetString() == "AVAILABLE")).ToList();
}

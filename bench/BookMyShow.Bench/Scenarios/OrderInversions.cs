using BookMyShow.Bench.Load;
using Npgsql;

namespace BookMyShow.Bench.Scenarios;

/// <summary>
/// Fairness in the hot show: seats granted to a later arrival that an earlier, refused arrival had asked for. Only
/// an earlier arrival that would have got all its seats had the requests been decided in arrival order counts as
/// wronged: one refused because an even earlier arrival took one of its seats was refused rightly (a hold is all
/// or nothing), and its other seats may go to anyone after it. Decided requests only; seats only ever get taken in
/// the hot show (its holds outlive the run), so "free at its turn" needs no expiry.
/// </summary>
/// <param name="Order">Which order: the planned arrival times, or the order the pipeline admitted the requests (hold_requests.seq).</param>
/// <param name="Seats">Seats granted to a later arrival that a wronged earlier arrival had asked for.</param>
/// <param name="WrongedRequests">Refused requests whose seats were all free at their turn in that order.</param>
/// <param name="Examples">A few inversions, for the reader who wants to follow one in the database.</param>
public sealed record OrderInversions(string Order, int Seats, int WrongedRequests, IReadOnlyList<string> Examples)
{
    const int ExampleCount = 5;

    public const string Planned = "planned arrival order";
    public const string Admission = "admission order, hold_requests.seq";

    /// <summary>Counts the inversions among the decided records, ordered by <paramref name="key"/> (records without a key are left out).</summary>
    public static OrderInversions Count(IEnumerable<RequestRecord> records, Func<RequestRecord, double?> key, string order)
    {
        var decided = records
            .Where(r => r.Outcome is Outcome.Held or Outcome.Rejected && key(r) is not null)
            .OrderBy(r => key(r)!.Value)
            .ToList();
        var taken = new HashSet<(string Show, string Seat)>();
        // For each seat, the earliest position of a wronged request that asked for it.
        var wronged = new Dictionary<(string Show, string Seat), int>();
        var wrongedRequests = 0;
        var seats = 0;
        var examples = new List<string>();
        string Describe(RequestRecord r) =>
            $"{r.RequestId ?? r.UserId} (order {key(r)!.Value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}, seats {string.Join(",", r.Seats)})";
        for (var i = 0; i < decided.Count; i++)
        {
            var record = decided[i];
            var asked = record.Seats.Select(s => (record.ShowId, s)).ToList();
            if (record.Outcome == Outcome.Held)
            {
                foreach (var seat in asked.Where(seat => wronged.TryGetValue(seat, out var at) && at < i))
                {
                    seats++;
                    if (examples.Count < ExampleCount) examples.Add($"refused {Describe(decided[wronged[seat]])}, then seat {seat.Item2} granted to {Describe(record)}");
                }
                foreach (var seat in asked) taken.Add(seat);
            }
            else if (!asked.Any(taken.Contains))
            {
                wrongedRequests++;
                foreach (var seat in asked) wronged.TryAdd(seat, i);
            }
        }
        return new OrderInversions(order, seats, wrongedRequests, examples);
    }

    /// <summary>The pipeline's admission order: hold_requests.seq by request id; null when the schema has no such column.</summary>
    public static async Task<Dictionary<string, long>?> AdmissionOrderAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var select = new NpgsqlCommand("SELECT id, seq FROM hold_requests", connection);
        try
        {
            await using var reader = await select.ExecuteReaderAsync(ct);
            var order = new Dictionary<string, long>();
            while (await reader.ReadAsync(ct)) order[reader.GetString(0)] = reader.GetInt64(1);
            return order;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedColumn)
        {
            return null;
        }
    }
}

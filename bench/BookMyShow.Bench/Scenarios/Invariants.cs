using System.Data;
using System.Globalization;
using BookMyShow.Bench.Load;
using BookMyShow.Bench.Report;
using Npgsql;

namespace BookMyShow.Bench.Scenarios;

/// <summary>
/// What must hold after every run, whatever the timings: no seat in two holds at once, every request answered, no
/// request lost. Read from the databases (in one snapshot) and from what the users were told.
/// </summary>
public static class Invariants
{
    /// <param name="expectsNoExpiry">Holds outlive the run (long TTL): every held or confirmed seat is one the users were granted.</param>
    public static async Task<List<Check>> PipelineAsync(string connectionString, IReadOnlyList<RequestRecord> records, bool expectsNoExpiry, string label = "pipeline")
    {
        var checks = new List<Check>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead);
        async Task<long> Scalar(string sql) => await ScalarAsync(connection, tx, sql);

        var doubles = await Scalar("SELECT count(*) FROM (SELECT 1 FROM hold_seats WHERE active GROUP BY show_id, seat_id HAVING count(*) > 1) d");
        checks.Add(new($"{label}: no seat in two active holds", doubles == 0, $"{doubles} seats in more than one active hold"));

        var orphans = await Scalar(
            "SELECT count(*) FROM show_seats s LEFT JOIN holds h ON h.id = s.hold_id WHERE s.status = 'HELD' " +
            "AND (h.id IS NULL OR h.status <> 'ACTIVE' OR NOT (s.seat_id = ANY (string_to_array(h.seat_ids, ','))))");
        checks.Add(new($"{label}: every HELD seat belongs to an active hold naming it", orphans == 0, $"{orphans} HELD seats without one"));

        var heldSeats = await Scalar("SELECT count(*) FROM show_seats WHERE status = 'HELD'");
        var activeHoldSeats = await Scalar("SELECT coalesce(sum(cardinality(string_to_array(seat_ids, ','))), 0) FROM holds WHERE status = 'ACTIVE'");
        checks.Add(new($"{label}: HELD seats = seats of active holds", heldSeats == activeHoldSeats, $"{heldSeats} HELD seats, {activeHoldSeats} seats in active holds"));

        var confirmedSeats = await Scalar("SELECT count(*) FROM show_seats WHERE status = 'CONFIRMED'");
        var confirmedHoldSeats = await Scalar("SELECT coalesce(sum(cardinality(string_to_array(seat_ids, ','))), 0) FROM holds WHERE status = 'CONFIRMED'");
        checks.Add(new($"{label}: CONFIRMED seats = seats of confirmed holds", confirmedSeats == confirmedHoldSeats, $"{confirmedSeats} CONFIRMED seats, {confirmedHoldSeats} in confirmed holds"));

        var queued = await Scalar("SELECT count(*) FROM hold_requests WHERE status = 'QUEUED'");
        checks.Add(new($"{label}: every admitted request decided (database)", queued == 0, $"{queued} requests still QUEUED"));

        var heldRequests = await Scalar("SELECT count(*) FROM hold_requests WHERE status = 'HELD'");
        var holds = await Scalar("SELECT count(*) FROM holds");
        checks.Add(new($"{label}: one hold per granted request", heldRequests == holds, $"{heldRequests} HELD requests, {holds} holds"));

        // What the users were told against what the database holds.
        var dbRequests = new Dictionary<string, (string Status, string? HoldId)>();
        await using (var select = new NpgsqlCommand("SELECT id, status, hold_id FROM hold_requests", connection, tx))
        await using (var reader = await select.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) dbRequests[reader.GetString(0)] = (reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
        }
        var admitted = records.Where(r => r.RequestId is not null).ToList();
        var lost = admitted.Count(r => !dbRequests.ContainsKey(r.RequestId!));
        // A POST the user abandoned at the deadline may still have been admitted after it: it is in the database unseen.
        var abandoned = records.Count(r => r.GaveUp && r.RequestId is null);
        checks.Add(new($"{label}: no request lost (every 202 is in hold_requests, nothing else is)",
            lost == 0 && dbRequests.Count >= admitted.Count && dbRequests.Count <= admitted.Count + abandoned,
            $"{admitted.Count} answered 202, {dbRequests.Count} in the database, {lost} of the 202s missing" +
            (abandoned > 0 ? $", {abandoned} POSTs abandoned by their users at the deadline" : "")));
        var disagree = admitted.Count(r => r.Outcome is Outcome.Held or Outcome.Rejected && dbRequests.TryGetValue(r.RequestId!, out var db)
            && (db.Status != (r.Outcome == Outcome.Held ? "HELD" : "REJECTED") || (r.Outcome == Outcome.Held && db.HoldId != r.HoldId)));
        checks.Add(new($"{label}: users were told what the database decided", disagree == 0, $"{disagree} answers differ from the database"));

        if (expectsNoExpiry)
        {
            var taken = await Scalar("SELECT count(*) FROM show_seats WHERE status IN ('HELD', 'CONFIRMED')");
            var granted = records.Where(r => r.Outcome == Outcome.Held).Sum(r => r.Seats.Count);
            checks.Add(new($"{label}: seats HELD/CONFIRMED = seats of the granted holds", taken == granted, $"{taken} seats taken, {granted} granted to users"));
        }
        await tx.CommitAsync();
        checks.AddRange(Client(records, label, pipeline: true));
        return checks;
    }

    public static async Task<List<Check>> BaselineAsync(string connectionString, IReadOnlyList<RequestRecord> records, bool expectsNoExpiry, string label = "baseline")
    {
        var checks = new List<Check>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead);
        var now = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        async Task<long> Scalar(string sql) => await ScalarAsync(connection, tx, sql.Replace("@now", $"'{now}'::timestamptz", StringComparison.Ordinal));

        var overlaps = await Scalar(
            "SELECT count(*) FROM bench_hold_seats a JOIN bench_hold_seats b ON a.show_id = b.show_id AND a.seat_id = b.seat_id " +
            "AND a.hold_id < b.hold_id AND a.held_from < b.held_until AND b.held_from < a.held_until");
        checks.Add(new($"{label}: no seat in two holds at once", overlaps == 0, $"{overlaps} pairs of holds overlapping on a seat"));

        var orphans = await Scalar(
            "SELECT count(*) FROM show_seats s LEFT JOIN bench_holds h ON h.hold_id = s.hold_id WHERE s.status IN ('HELD', 'CONFIRMED') " +
            "AND (h.hold_id IS NULL OR NOT (s.seat_id = ANY (h.seat_ids)))");
        checks.Add(new($"{label}: every taken seat belongs to a hold naming it", orphans == 0, $"{orphans} taken seats without one"));

        var taken = await Scalar("SELECT count(*) FROM show_seats WHERE (status = 'HELD' AND expires_at > @now) OR status = 'CONFIRMED'");
        var inHolds = await Scalar("SELECT coalesce(sum(cardinality(seat_ids)), 0) FROM bench_holds WHERE (status = 'ACTIVE' AND expires_at > @now) OR status = 'CONFIRMED'");
        checks.Add(new($"{label}: seats taken = seats of live holds", taken == inHolds, $"{taken} seats taken, {inHolds} in live holds"));

        var holdIds = new HashSet<string>();
        await using (var select = new NpgsqlCommand("SELECT hold_id FROM bench_holds", connection, tx))
        await using (var reader = await select.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) holdIds.Add(reader.GetString(0));
        }
        var granted = records.Where(r => r.Outcome == Outcome.Held).Select(r => r.HoldId!).ToHashSet();
        checks.Add(new($"{label}: users were told what the database holds", granted.SetEquals(holdIds), $"{granted.Count} holds granted to users, {holdIds.Count} in the database"));
        if (expectsNoExpiry)
        {
            var grantedSeats = records.Where(r => r.Outcome == Outcome.Held).Sum(r => r.Seats.Count);
            checks.Add(new($"{label}: seats HELD/CONFIRMED = seats of the granted holds", taken == grantedSeats, $"{taken} seats taken, {grantedSeats} granted to users"));
        }
        await tx.CommitAsync();
        checks.AddRange(Client(records, label, pipeline: false));
        return checks;
    }

    /// <summary>From the users' side alone: every request got a decision, and no seat was granted to two users at once.</summary>
    public static IEnumerable<Check> Client(IReadOnlyList<RequestRecord> records, string label, bool pipeline)
    {
        // The pipeline may refuse admission with 503 (broker unavailable, nothing held): an answer the API documents.
        // A user who stopped waiting at the deadline is a timing (reported in the tables); the database check above
        // says whether the request was decided all the same.
        var unanswered = records.Where(r => !r.GaveUp && (r.Outcome is Outcome.Undecided or Outcome.Pending || (r.Outcome == Outcome.Error && !(pipeline && r.HttpStatus == 503)))).ToList();
        var gaveUp = records.Count(r => r.GaveUp);
        var sample = string.Join("; ", unanswered.Take(3).Select(r => r.Error ?? r.Outcome.ToString()));
        yield return new($"{label}: every request answered with a decision (or still waited for at the deadline)", unanswered.Count == 0,
            $"{records.Count} requests, {unanswered.Count} failed without a decision{(sample.Length > 0 ? $" ({sample})" : "")}" +
            (gaveUp > 0 ? $"; {gaveUp} users stopped waiting at the deadline" : ""));

        // A later grant of a seat must come after the earlier hold ran out (and never after it was paid for).
        var doubles = 0;
        foreach (var seat in records.Where(r => r.Outcome == Outcome.Held).SelectMany(r => r.Seats.Select(s => (Key: (r.ShowId, s), Record: r))).GroupBy(x => x.Key))
        {
            var grants = seat.Select(x => x.Record).OrderBy(r => r.DecidedUtc).ToList();
            for (var i = 1; i < grants.Count; i++)
            {
                var earlier = grants[i - 1];
                var later = grants[i];
                if (earlier.PayStatus == 200) doubles++;
                else if (earlier.ExpiresAt is { } expires && later.DecidedUtc < expires) doubles++;
            }
        }
        yield return new($"{label}: no seat granted to two users at once (as the users saw it)", doubles == 0, $"{doubles} overlapping grants");
    }

    static async Task<long> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L, CultureInfo.InvariantCulture);
    }
}

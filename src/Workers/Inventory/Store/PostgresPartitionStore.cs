using BookMyShow.Core.Outbox;
using BookMyShow.Core.Persistence;
using BookMyShow.Workers.Inventory.Ledger;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BookMyShow.Workers.Inventory.Store;

/// <summary>
/// A partition batch on PostgreSQL as one <see cref="NpgsqlBatch"/>: one round trip, one implicit transaction (a
/// statement that fails rolls the whole batch back). Each table gets one statement over arrays (<c>unnest</c>) however
/// many rows the batch changed. The first statement checks the partition's epoch under a share lock of its row
/// (fencing, ADR 0022). Two statements refuse the batch when a check fails, the way plain SQL can: by casting a text
/// that names the refusal to an integer, which fails with that text in the error (the text includes a column, so the
/// planner cannot fold it into a constant and fail every time): the epoch check, and the count of requests that were
/// still undecided.
/// </summary>
public sealed class PostgresPartitionStore(IDbContextFactory<BookingDbContext> contexts, TimeProvider time) : EfPartitionStore(contexts, time)
{
    const string Fenced = "BMS partition fenced";
    const string AlreadyDecided = "BMS requests already decided";

    public override async Task CommitAsync(int partition, long epoch, PartitionChanges changes, IReadOnlyList<OutgoingMessage> outgoing, DateTime dispatchAfter,
        IReadOnlyCollection<Guid> sent, CancellationToken ct)
    {
        await using var db = await Contexts.CreateDbContextAsync(ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        await using var batch = new NpgsqlBatch(connection);

        Add(batch, $"SELECT CASE WHEN epoch = $2 THEN 1 ELSE ('{Fenced}: epoch ' || epoch)::int END FROM partition_epochs WHERE partition = $1 FOR SHARE",
            partition, epoch);
        AddSeats(batch, changes);
        AddHolds(batch, changes);
        AddRequests(batch, changes);
        AddBookings(batch, changes);
        AddAnswers(batch, changes);
        AddOutbox(batch, outgoing, changes.Now, dispatchAfter);
        if (sent.Count > 0) Add(batch, "DELETE FROM outbox_messages WHERE message_id = ANY($1)", sent.ToArray());

        try
        {
            await batch.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidTextRepresentation && e.MessageText.Contains(Fenced, StringComparison.Ordinal))
        {
            throw new PartitionFencedException(partition, epoch);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidTextRepresentation && e.MessageText.Contains(AlreadyDecided, StringComparison.Ordinal))
        {
            throw new RequestAlreadyDecidedException();
        }
    }

    static NpgsqlBatchCommand Add(NpgsqlBatch batch, string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        batch.BatchCommands.Add(command);
        return command;
    }

    static DateTime? Utc(DateTime? value) => value is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : null;

    static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);

    static void AddSeats(NpgsqlBatch batch, PartitionChanges changes)
    {
        var seats = changes.Seats.ToList();
        if (seats.Count == 0) return;
        Add(batch, """
            UPDATE show_seats AS s
            SET status = x.status, hold_id = x.hold_id, user_id = x.user_id, expires_at = x.expires_at, booking_id = x.booking_id, version = x.version
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::bigint[])
                AS x(show_id, seat_id, status, hold_id, user_id, expires_at, booking_id, version)
            WHERE s.show_id = x.show_id AND s.seat_id = x.seat_id
            """,
            seats.Select(s => s.ShowId).ToArray(), seats.Select(s => s.SeatId).ToArray(), seats.Select(s => s.Status).ToArray(),
            seats.Select(s => s.HoldId).ToArray(), seats.Select(s => s.UserId).ToArray(), seats.Select(s => Utc(s.ExpiresAt)).ToArray(),
            seats.Select(s => s.BookingId).ToArray(), seats.Select(s => s.Version).ToArray());
    }

    static void AddHolds(NpgsqlBatch batch, PartitionChanges changes)
    {
        var changed = changes.ChangedHolds.ToList();
        if (changed.Count > 0)
        {
            Add(batch, """
                UPDATE holds AS h
                SET status = x.status, ended_at = x.ended_at, payment_grace_until = x.grace, payment_attempted = x.paid, warn_at = x.warn_at, booking_id = x.booking_id
                FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::boolean[], $6::timestamptz[], $7::text[])
                    AS x(id, status, ended_at, grace, paid, warn_at, booking_id)
                WHERE h.id = x.id
                """,
                changed.Select(h => h.Id).ToArray(), changed.Select(h => h.Status).ToArray(), changed.Select(h => Utc(h.EndedAt)).ToArray(),
                changed.Select(h => Utc(h.PaymentGraceUntil)).ToArray(), changed.Select(h => h.PaymentAttempted).ToArray(),
                changed.Select(h => Utc(h.WarnAt)).ToArray(), changed.Select(h => h.BookingId).ToArray());
        }
        var ended = changes.EndedHoldIds.ToArray();
        // Before the new claims: a seat whose old hold ended in this batch may be claimed again in it (one active hold per seat).
        if (ended.Length > 0) Add(batch, "UPDATE hold_seats SET active = false WHERE hold_id = ANY($1) AND active", [ended]);

        var created = changes.NewHolds.ToList();
        if (created.Count == 0) return;
        Add(batch, """
            INSERT INTO holds (id, show_id, user_id, request_id, seat_ids, total_price, currency, created_at, expires_at, status, ended_at,
                               payment_grace_until, payment_attempted, warn_at, booking_id)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::text[], $8::timestamptz[],
                                 $9::timestamptz[], $10::text[], $11::timestamptz[], $12::timestamptz[], $13::boolean[], $14::timestamptz[], $15::text[])
            """,
            created.Select(h => h.Id).ToArray(), created.Select(h => h.ShowId).ToArray(), created.Select(h => h.UserId).ToArray(),
            created.Select(h => h.RequestId).ToArray(), created.Select(h => h.SeatIds).ToArray(), created.Select(h => h.TotalPrice).ToArray(),
            created.Select(h => h.Currency).ToArray(), created.Select(h => Utc(h.CreatedAt)).ToArray(), created.Select(h => Utc(h.ExpiresAt)).ToArray(),
            created.Select(h => h.Status).ToArray(), created.Select(h => Utc(h.EndedAt)).ToArray(), created.Select(h => Utc(h.PaymentGraceUntil)).ToArray(),
            created.Select(h => h.PaymentAttempted).ToArray(), created.Select(h => Utc(h.WarnAt)).ToArray(), created.Select(h => h.BookingId).ToArray());
        // The new holds' seat claims, active while the hold is (a hold the batch created and ended leaves inactive ones).
        var claims = created.SelectMany(h => SeatList.Split(h.SeatIds).Select(seat => (h.Id, h.ShowId, Seat: seat, Active: h.Status == HoldStatus.Active))).ToList();
        Add(batch, "INSERT INTO hold_seats (hold_id, show_id, seat_id, active) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[])",
            claims.Select(c => c.Id).ToArray(), claims.Select(c => c.ShowId).ToArray(), claims.Select(c => c.Seat).ToArray(), claims.Select(c => c.Active).ToArray());
    }

    /// <summary>
    /// The decided requests, inserted if no gateway recorded them (a replayed or directly sent command) and otherwise
    /// updated, but only while still undecided: the count of rows written must be the batch's count, or the batch fails.
    /// </summary>
    static void AddRequests(NpgsqlBatch batch, PartitionChanges changes)
    {
        var requests = changes.Requests;
        if (requests.Count == 0) return;
        Add(batch, $$"""
            WITH written AS (
                INSERT INTO hold_requests (id, show_id, user_id, seat_ids, status, hold_id, reason, unavailable_seat_ids, admitted_at, decided_at)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::timestamptz[])
                ON CONFLICT (id) DO UPDATE
                SET status = excluded.status, hold_id = excluded.hold_id, reason = excluded.reason,
                    unavailable_seat_ids = excluded.unavailable_seat_ids, decided_at = excluded.decided_at
                WHERE hold_requests.status = 'QUEUED'
                RETURNING 1
            )
            SELECT CASE WHEN n = $11 THEN 1 ELSE ('{{AlreadyDecided}}: ' || ($11 - n) || ' of ' || $11)::int END FROM (SELECT count(*) AS n FROM written) AS w
            """,
            requests.Select(r => r.Id).ToArray(), requests.Select(r => r.ShowId).ToArray(), requests.Select(r => r.UserId).ToArray(),
            requests.Select(r => r.SeatIds).ToArray(), requests.Select(r => r.Status).ToArray(), requests.Select(r => r.HoldId).ToArray(),
            requests.Select(r => r.Reason).ToArray(), requests.Select(r => r.UnavailableSeatIds).ToArray(),
            requests.Select(r => Utc(r.AdmittedAt)).ToArray(), requests.Select(r => Utc(r.DecidedAt)).ToArray(), (long)requests.Count);
    }

    static void AddBookings(NpgsqlBatch batch, PartitionChanges changes)
    {
        var bookings = changes.Bookings;
        if (bookings.Count == 0) return;
        Add(batch, """
            INSERT INTO bookings (id, hold_id, show_id, user_id, seat_ids, payment_intent_id, total_amount, currency, status, created_at)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::numeric[], $8::text[], $9::text[], $10::timestamptz[])
            """,
            bookings.Select(b => b.Id).ToArray(), bookings.Select(b => b.HoldId).ToArray(), bookings.Select(b => b.ShowId).ToArray(),
            bookings.Select(b => b.UserId).ToArray(), bookings.Select(b => b.SeatIds).ToArray(), bookings.Select(b => b.PaymentIntentId).ToArray(),
            bookings.Select(b => b.TotalAmount).ToArray(), bookings.Select(b => b.Currency).ToArray(), bookings.Select(b => b.Status).ToArray(),
            bookings.Select(b => Utc(b.CreatedAt)).ToArray());
    }

    static void AddAnswers(NpgsqlBatch batch, PartitionChanges changes)
    {
        var answers = changes.Answers;
        if (answers.Count == 0) return;
        Add(batch, """
            UPDATE confirm_requests AS c SET status_code = x.code, response_body = x.body, answered_at = $5
            FROM unnest($1::text[], $2::text[], $3::int[], $4::text[]) AS x(user_id, idempotency_key, code, body)
            WHERE c.user_id = x.user_id AND c.idempotency_key = x.idempotency_key AND c.status_code IS NULL
            """,
            answers.Select(a => a.UserId).ToArray(), answers.Select(a => a.IdempotencyKey).ToArray(), answers.Select(a => a.StatusCode).ToArray(),
            answers.Select(a => a.ResponseBody).ToArray(), Utc(changes.Now));
    }

    static void AddOutbox(NpgsqlBatch batch, IReadOnlyList<OutgoingMessage> outgoing, DateTime now, DateTime dispatchAfter)
    {
        if (outgoing.Count == 0) return;
        var rows = outgoing.Select(m => OutboxWriter.Row(m.MessageId, m.Message, m.Type, m.Destination, now, dispatchAfter)).ToList();
        Add(batch, """
            INSERT INTO outbox_messages (message_id, message_type, body, destination, created_at, dispatch_after)
            SELECT x.id, x.type, x.body, x.destination, $5, $6 FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS x(id, type, body, destination)
            """,
            rows.Select(r => r.MessageId).ToArray(), rows.Select(r => r.MessageType).ToArray(), rows.Select(r => r.Body).ToArray(),
            rows.Select(r => r.Destination).ToArray(), Utc(now), Utc(dispatchAfter));
    }
}

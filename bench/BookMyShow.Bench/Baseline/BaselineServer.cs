using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace BookMyShow.Bench.Baseline;

/// <summary>
/// The design document's direct approach, for comparison: an HTTP endpoint that holds seats all or nothing in one
/// PostgreSQL transaction, locking the requested seats with <c>SELECT … FOR UPDATE</c> in sorted order. No queue, no
/// broker: the 201/409 is the decision. It uses the product's <c>show_seats</c> table (schema and catalog applied by
/// the product) and tables of its own for holds, in a database of its own.
/// </summary>
public static class BaselineServer
{
    const string Usage = "baseline-server --urls http://127.0.0.1:PORT --postgres \"<connection string>\" [--pool 64] [--ttl 00:10:00]";

    public static async Task<int> RunAsync(string[] args)
    {
        var urls = Arg(args, "--urls");
        var postgres = Arg(args, "--postgres");
        if (urls is null || postgres is null)
        {
            await Console.Error.WriteLineAsync("usage: " + Usage);
            return 2;
        }
        var pool = int.Parse(Arg(args, "--pool") ?? "64", CultureInfo.InvariantCulture);
        var ttl = TimeSpan.Parse(Arg(args, "--ttl") ?? "00:10:00", CultureInfo.InvariantCulture);

        var connection = new NpgsqlConnectionStringBuilder(postgres)
        {
            MaxPoolSize = pool,
            MinPoolSize = Math.Min(pool, 16),
            // 10,000 requests wait for 64 connections: waiting for one is part of the baseline's latency, not an error.
            Timeout = 600,
            CommandTimeout = 600,
            NoResetOnClose = true,
        };
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(urls);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxConcurrentConnections = null);
        await using var dataSource = NpgsqlDataSource.Create(connection.ConnectionString);
        await using (var schema = await dataSource.OpenConnectionAsync())
        {
            await using var create = new NpgsqlCommand(BaselineSchema.Sql, schema);
            await create.ExecuteNonQueryAsync();
        }

        await using var app = builder.Build();
        var store = new BaselineStore(dataSource, ttl);
        app.MapGet("/health", () => Results.Ok());
        app.MapGet("/v1/shows/{show_id}/seats", async (string show_id, CancellationToken ct) => Results.Json(await store.SeatMapAsync(show_id, ct)));
        app.MapPost("/v1/shows/{show_id}/hold", async (string show_id, HttpRequest request, CancellationToken ct) =>
        {
            using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
            var seats = body.RootElement.GetProperty("seat_ids").EnumerateArray().Select(s => s.GetString()!).ToArray();
            var user = body.RootElement.TryGetProperty("user_id", out var u) ? u.GetString() ?? "anonymous" : "anonymous";
            var result = await store.HoldAsync(show_id, user, seats, ct);
            return result.Status switch
            {
                201 => Results.Json(new { hold_id = result.HoldId, show_id, seat_ids = seats, expires_at = result.ExpiresAt, status = "HELD" }, statusCode: 201),
                409 => Results.Json(new { title = "Seats unavailable", unavailable_seat_ids = result.Unavailable }, statusCode: 409),
                _ => Results.Json(new { title = "Unknown seats", unknown_seat_ids = result.Unavailable }, statusCode: 400),
            };
        });
        app.MapPost("/v1/bookings/confirm", async (HttpRequest request, CancellationToken ct) =>
        {
            using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
            var holdId = body.RootElement.GetProperty("hold_id").GetString()!;
            var (status, bookingId) = await store.ConfirmAsync(holdId, ct);
            return status == 200
                ? Results.Json(new { booking_id = bookingId, hold_id = holdId, status = "CONFIRMED" })
                : Results.Json(new { title = status == 404 ? "Unknown hold" : "Hold no longer active" }, statusCode: status);
        });
        await app.RunAsync();
        return 0;
    }

    static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}

public sealed record HoldResult(int Status, string? HoldId, DateTime? ExpiresAt, IReadOnlyList<string> Unavailable);

/// <summary>The baseline's SQL: one transaction per hold, seats locked in sorted order.</summary>
public sealed class BaselineStore(NpgsqlDataSource dataSource, TimeSpan ttl)
{
    public async Task<HoldResult> HoldAsync(string showId, string userId, string[] seatIds, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var found = new List<(string Seat, string Status, DateTime? ExpiresAt, decimal Price)>(seatIds.Length);
        await using (var select = new NpgsqlCommand(
            "SELECT seat_id, status, expires_at, price FROM show_seats WHERE show_id = @show AND seat_id = ANY(@seats) ORDER BY seat_id FOR UPDATE",
            connection, tx))
        {
            select.Parameters.AddWithValue("show", showId);
            select.Parameters.AddWithValue("seats", seatIds);
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                found.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetDateTime(2), reader.GetDecimal(3)));
            }
        }
        if (found.Count != seatIds.Length)
        {
            await tx.RollbackAsync(ct);
            return new HoldResult(400, null, null, seatIds.Except(found.Select(f => f.Seat)).ToList());
        }
        // The clock is read after the locks are taken: a lapsed hold is free from its expiry on, as in the product.
        var now = DateTime.UtcNow;
        var taken = found.Where(f => !(f.Status == "AVAILABLE" || (f.Status == "HELD" && f.ExpiresAt <= now))).Select(f => f.Seat).ToList();
        if (taken.Count > 0)
        {
            await tx.RollbackAsync(ct);
            return new HoldResult(409, null, null, taken);
        }
        var holdId = "bh_" + Guid.NewGuid().ToString("N");
        var expiresAt = now + ttl;
        await using var batch = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                Command("UPDATE show_seats SET status = 'HELD', hold_id = @hold, user_id = @user, expires_at = @expires, version = version + 1 " +
                        "WHERE show_id = @show AND seat_id = ANY(@seats)"),
                Command("INSERT INTO bench_holds (hold_id, show_id, user_id, seat_ids, total_price, created_at, expires_at, status) " +
                        "VALUES (@hold, @show, @user, @seats, @price, @now, @expires, 'ACTIVE')"),
                Command("INSERT INTO bench_hold_seats (hold_id, show_id, seat_id, held_from, held_until) " +
                        "SELECT @hold, @show, s, @now, @expires FROM unnest(@seats) AS s"),
            },
        };
        foreach (NpgsqlBatchCommand command in batch.BatchCommands)
        {
            Bind(command, "hold", holdId);
            Bind(command, "show", showId);
            Bind(command, "user", userId);
            Bind(command, "seats", seatIds);
            Bind(command, "price", found.Sum(f => f.Price));
            Bind(command, "now", now);
            Bind(command, "expires", expiresAt);
        }
        await batch.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return new HoldResult(201, holdId, expiresAt, []);
    }

    /// <summary>Payment is not simulated: the hold's seats become CONFIRMED while the hold is still active.</summary>
    public async Task<(int Status, string? BookingId)> ConfirmAsync(string holdId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        string showId;
        string[] seats;
        await using (var select = new NpgsqlCommand(
            "SELECT show_id, seat_ids, status, expires_at FROM bench_holds WHERE hold_id = @hold FOR UPDATE", connection, tx))
        {
            select.Parameters.AddWithValue("hold", holdId);
            await using var reader = await select.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct)) return (404, null);
            showId = reader.GetString(0);
            seats = reader.GetFieldValue<string[]>(1);
            var status = reader.GetString(2);
            if (status == "CONFIRMED") return (200, "bb_" + holdId[3..]);
            if (status != "ACTIVE" || reader.GetDateTime(3) <= DateTime.UtcNow) return (410, null);
        }
        var bookingId = "bb_" + holdId[3..];
        await using var batch = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                // Sorted, as the hold locks them; only seats still under this hold (a lapsed seat may have been re-held).
                Command("SELECT 1 FROM show_seats WHERE show_id = @show AND seat_id = ANY(@seats) ORDER BY seat_id FOR UPDATE"),
                Command("UPDATE show_seats SET status = 'CONFIRMED', booking_id = @booking, version = version + 1 " +
                        "WHERE show_id = @show AND seat_id = ANY(@seats) AND hold_id = @hold"),
                Command("UPDATE bench_holds SET status = 'CONFIRMED' WHERE hold_id = @hold"),
                Command("UPDATE bench_hold_seats SET held_until = 'infinity' WHERE hold_id = @hold"),
            },
        };
        foreach (NpgsqlBatchCommand command in batch.BatchCommands)
        {
            Bind(command, "hold", holdId);
            Bind(command, "show", showId);
            Bind(command, "seats", seats);
            Bind(command, "booking", bookingId);
        }
        await batch.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return (200, bookingId);
    }

    public async Task<object> SeatMapAsync(string showId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var select = new NpgsqlCommand(
            "SELECT seat_id, \"row\", number, status, expires_at FROM show_seats WHERE show_id = @show ORDER BY length(\"row\"), \"row\", number", connection);
        select.Parameters.AddWithValue("show", showId);
        await using var reader = await select.ExecuteReaderAsync(ct);
        var now = DateTime.UtcNow;
        var seats = new List<object>();
        while (await reader.ReadAsync(ct))
        {
            var status = reader.GetString(3);
            if (status == "HELD" && !reader.IsDBNull(4) && reader.GetDateTime(4) <= now) status = "AVAILABLE";
            seats.Add(new { seat_id = reader.GetString(0), row = reader.GetString(1), number = reader.GetInt32(2), status });
        }
        return new { show_id = showId, seats };
    }

    static NpgsqlBatchCommand Command(string sql) => new(sql);

    /// <summary>Binds a parameter only to the statements that use it (PostgreSQL refuses unused ones).</summary>
    static void Bind(NpgsqlBatchCommand command, string name, object value)
    {
        if (!command.CommandText.Contains("@" + name, StringComparison.Ordinal)) return;
        if (value is DateTime time) command.Parameters.AddWithValue(name, NpgsqlDbType.TimestampTz, time);
        else command.Parameters.AddWithValue(name, value);
    }
}

/// <summary>The baseline's own tables, beside the product's schema in the baseline's database.</summary>
public static class BaselineSchema
{
    public const string Sql = """
        CREATE TABLE IF NOT EXISTS bench_holds (
            hold_id text PRIMARY KEY,
            show_id text NOT NULL,
            user_id text NOT NULL,
            seat_ids text[] NOT NULL,
            total_price numeric NOT NULL,
            created_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            status text NOT NULL);
        CREATE TABLE IF NOT EXISTS bench_hold_seats (
            hold_id text NOT NULL,
            show_id text NOT NULL,
            seat_id text NOT NULL,
            held_from timestamptz NOT NULL,
            held_until timestamptz NOT NULL,
            PRIMARY KEY (show_id, seat_id, hold_id));
        """;
}

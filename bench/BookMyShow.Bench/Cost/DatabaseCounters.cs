using System.Text.RegularExpressions;
using Npgsql;

namespace BookMyShow.Bench.Cost;

/// <summary>One reading of PostgreSQL's counters for one database; a window's figures are the difference of two.</summary>
/// <param name="Transactions">pg_stat_database xact_commit + xact_rollback of the database (published late: read after the others).</param>
/// <param name="NextTransactionId">The next transaction id to be assigned (cluster-wide): its difference counts the transactions that wrote or locked rows.</param>
/// <param name="Statements">pg_stat_statements calls by normalized statement text, for the database; null when the extension is not loaded.</param>
public sealed record DatabaseReading(long Transactions, long NextTransactionId, Dictionary<string, long>? Statements);

/// <summary>
/// Reads the transaction id counter and pg_stat_statements (both exact at once: a statement is counted when it
/// ends), and pg_stat_database, through the server's admin database. pg_stat_database's transaction counts are
/// published by each backend at most once a second, and by a backend that falls idle within that second only 10 s
/// later, so they run late; the transaction id counter is exact but counts only transactions that took an id (they
/// wrote or locked rows), in every database.
/// </summary>
public sealed partial class DatabaseCounters(string adminConnectionString)
{
    /// <summary>Creates the pg_stat_statements view when the server loaded the library; false when it did not.</summary>
    public async Task<bool> EnableStatementsAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(ct);
        await using (var loaded = new NpgsqlCommand("SELECT current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%'", connection))
        {
            if (await loaded.ExecuteScalarAsync(ct) is not true) return false;
        }
        await using var create = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", connection);
        await create.ExecuteNonQueryAsync(ct);
        return true;
    }

    /// <summary>The counters that are exact when read: the next transaction id, and the statements (when loaded).</summary>
    public async Task<(long NextTransactionId, Dictionary<string, long>? Statements)> ReadExactAsync(string database, bool statements, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(ct);
        long nextXid;
        // Reading the snapshot's xmax does not take a transaction id itself (pg_current_xact_id() would).
        await using (var xid = new NpgsqlCommand("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint", connection))
        {
            nextXid = (long)(await xid.ExecuteScalarAsync(ct))!;
        }
        if (!statements) return (nextXid, null);

        var calls = new Dictionary<string, long>();
        await using var select = new NpgsqlCommand(
            "SELECT s.query, sum(s.calls)::bigint FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid " +
            "WHERE d.datname = @db GROUP BY s.query", connection);
        select.Parameters.AddWithValue("db", database);
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) calls[reader.GetString(0)] = reader.GetInt64(1);
        return (nextXid, calls);
    }

    /// <summary>pg_stat_database xact_commit + xact_rollback of the database, as published so far.</summary>
    public async Task<long> ReadTransactionsAsync(string database, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(ct);
        await using var select = new NpgsqlCommand("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = @db", connection);
        select.Parameters.AddWithValue("db", database);
        return await select.ExecuteScalarAsync(ct) is long count ? count : 0;
    }

    /// <summary>
    /// A readable kind for a normalized statement: its verb and the first table it names ("INSERT outbox_messages",
    /// "SELECT show_seats", "UPDATE holds"), a CTE by the verb and table of the first write in it, else of its first
    /// FROM; transaction control and other commands by their first word ("BEGIN", "COMMIT", "DISCARD").
    /// </summary>
    public static string KindOf(string sql)
    {
        var text = Comments().Replace(sql, " ").Trim();
        var verb = FirstWord().Match(text).Value.ToUpperInvariant();
        if (verb == "WITH")
        {
            var write = FirstWrite().Match(text);
            return write.Success
                ? $"WITH … {write.Groups["verb"].Value.ToUpperInvariant()} {Clean(write.Groups["table"].Value)}"
                : $"WITH … SELECT {Table(FromTable(), text)}".TrimEnd();
        }
        var table = verb switch
        {
            "INSERT" => Table(InsertInto(), text),
            "UPDATE" => Table(UpdateTable(), text),
            "DELETE" => Table(DeleteFrom(), text),
            "SELECT" => Table(FromTable(), text),
            "COPY" => Table(CopyTable(), text),
            _ => null,
        };
        if (verb is "START") verb = "BEGIN";
        return table is null ? (verb.Length == 0 ? "(other)" : verb) : $"{verb} {table}";
    }

    static string? Table(Regex pattern, string text)
    {
        var match = pattern.Match(text);
        return match.Success ? Clean(match.Groups["table"].Value) : null;
    }

    /// <summary>Without quotes and the schema: "public"."holds" → holds.</summary>
    static string Clean(string name)
    {
        var unquoted = name.Replace("\"", "", StringComparison.Ordinal);
        var dot = unquoted.LastIndexOf('.');
        return dot >= 0 ? unquoted[(dot + 1)..] : unquoted;
    }

    const string Name = @"(?<table>""[^""]+""(\.""[^""]+"")?|[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*)?)";

    [GeneratedRegex(@"/\*.*?\*/|--[^\n]*", RegexOptions.Singleline)]
    private static partial Regex Comments();

    [GeneratedRegex(@"^[A-Za-z]+")]
    private static partial Regex FirstWord();

    [GeneratedRegex(@"^INSERT\s+INTO\s+" + Name, RegexOptions.IgnoreCase)]
    private static partial Regex InsertInto();

    [GeneratedRegex(@"^UPDATE\s+(ONLY\s+)?" + Name, RegexOptions.IgnoreCase)]
    private static partial Regex UpdateTable();

    [GeneratedRegex(@"^DELETE\s+FROM\s+(ONLY\s+)?" + Name, RegexOptions.IgnoreCase)]
    private static partial Regex DeleteFrom();

    [GeneratedRegex(@"\bFROM\s+" + Name, RegexOptions.IgnoreCase)]
    private static partial Regex FromTable();

    [GeneratedRegex(@"^COPY\s+" + Name, RegexOptions.IgnoreCase)]
    private static partial Regex CopyTable();

    // Not the UPDATE of "FOR UPDATE" or "ON CONFLICT … DO UPDATE".
    [GeneratedRegex(@"(?<!\b(FOR|DO)\s+)\b(?<verb>INSERT|UPDATE|DELETE)\s+(INTO\s+|FROM\s+)?" + Name, RegexOptions.IgnoreCase)]
    private static partial Regex FirstWrite();
}

using BookMyShow.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BookMyShow.Core.Inbox;

/// <summary>
/// The inbox: which messages a consumer has already handled. Record a message in the same transaction as its effect;
/// a redelivery then finds the row and does nothing, and two concurrent deliveries serialize on the primary key.
/// </summary>
public static class InboxExtensions
{
    /// <summary>
    /// Records <paramref name="messageId"/> for <paramref name="consumer"/> in the current transaction. False when it was
    /// already recorded: the message was handled before and must have no second effect.
    /// </summary>
    public static async Task<bool> TryRecordInboxAsync(this BookingDbContext db, string consumer, Guid messageId, DateTime now, CancellationToken ct)
    {
        var inserted = db.IsPostgres
            ? await db.Database.ExecuteSqlInterpolatedAsync(
                $"INSERT INTO inbox_messages (consumer, message_id, processed_at) VALUES ({consumer}, {messageId}, {now}) ON CONFLICT DO NOTHING", ct)
            // EF Core keeps GUIDs in SQLite as upper-case text; bind it the same way so the key compares equal.
            : await db.Database.ExecuteSqlInterpolatedAsync(
                $"INSERT OR IGNORE INTO inbox_messages (consumer, message_id, processed_at) VALUES ({consumer}, {messageId.ToString("D").ToUpperInvariant()}, {now})", ct);
        return inserted == 1;
    }

    /// <summary>
    /// Records many messages for <paramref name="consumer"/> in the current transaction and returns those that were new
    /// (each once, however often it is listed). On PostgreSQL one statement for the whole batch.
    /// </summary>
    public static async Task<HashSet<Guid>> TryRecordInboxAsync(this BookingDbContext db, string consumer, IReadOnlyCollection<Guid> messageIds, DateTime now, CancellationToken ct)
    {
        var ids = messageIds.Distinct().ToArray();
        if (!db.IsPostgres)
        {
            var fresh = new HashSet<Guid>();
            foreach (var id in ids)
            {
                if (await db.TryRecordInboxAsync(consumer, id, now, ct)) fresh.Add(id);
            }
            return fresh;
        }
        var inserted = await db.Database.SqlQuery<Guid>($"""
            INSERT INTO inbox_messages (consumer, message_id, processed_at)
            SELECT {consumer}, x, {now} FROM unnest({ids}) AS x
            ON CONFLICT DO NOTHING
            RETURNING message_id AS "Value"
            """).ToListAsync(ct);
        return [.. inserted];
    }
}

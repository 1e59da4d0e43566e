using BookMyShow.Contracts.Bookings;
using BookMyShow.Core.Inbox;
using BookMyShow.Core.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace BookMyShow.Workers.Analytics;

/// <summary>
/// Keeps the per-show totals operators read at <c>GET /v1/ops/shows/{id}/stats</c>. Each event changes the totals
/// and is recorded in the inbox in one transaction, so a redelivered event counts once.
/// </summary>
public sealed class ShowStatsConsumer(IDbContextFactory<BookingDbContext> contexts, TimeProvider time, ILogger<ShowStatsConsumer> logger) :
    IConsumer<BookingHeld>,
    IConsumer<BookingConfirmed>,
    IConsumer<BookingReleased>,
    IConsumer<BookingExpired>,
    IConsumer<BookingRefunded>
{
    public const string InboxName = "analytics";

    public Task Consume(ConsumeContext<BookingHeld> context) =>
        ApplyAsync(context, context.Message.ShowId, context.Message.Currency, s =>
        {
            s.Holds++;
            s.HeldSeats += context.Message.SeatIds.Count;
        });

    public Task Consume(ConsumeContext<BookingConfirmed> context) =>
        ApplyAsync(context, context.Message.ShowId, context.Message.Currency, s =>
        {
            s.Bookings++;
            s.ConfirmedSeats += context.Message.SeatIds.Count;
            s.Revenue += context.Message.Amount;
        });

    public Task Consume(ConsumeContext<BookingReleased> context) =>
        ApplyAsync(context, context.Message.ShowId, context.Message.Currency, s => s.ReleasedSeats += context.Message.SeatIds.Count);

    public Task Consume(ConsumeContext<BookingExpired> context) =>
        ApplyAsync(context, context.Message.ShowId, context.Message.Currency, s => s.ExpiredSeats += context.Message.SeatIds.Count);

    public Task Consume(ConsumeContext<BookingRefunded> context) =>
        ApplyAsync(context, context.Message.ShowId, context.Message.Currency, s =>
        {
            s.Refunds++;
            // A refunded duplicate charge leaves the booking (and its seats) standing: only the money counts.
            if (context.Message.BookingId is null) s.RefundedSeats += context.Message.SeatIds.Count;
            s.RefundedAmount += context.Message.Amount;
        });

    async Task ApplyAsync(ConsumeContext context, string showId, string currency, Action<ShowStats> change)
    {
        var messageId = context.MessageId ?? throw new InvalidOperationException("A booking event without a message id cannot be counted exactly once.");
        var ct = context.CancellationToken;
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await db.TryRecordInboxAsync(InboxName, messageId, now, ct))
        {
            await tx.RollbackAsync(ct);
            logger.LogInformation("Event {MessageId} already handled by {Consumer}; skipped", messageId, InboxName);
            return;
        }
        // The row exists before it is locked, so concurrent first events for a show do not race on the insert.
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO show_stats (show_id, held_seats, confirmed_seats, released_seats, expired_seats, refunded_seats, holds, bookings, refunds, revenue, refunded_amount, currency, updated_at) VALUES ({showId}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, {currency}, {now}) ON CONFLICT (show_id) DO NOTHING",
            ct);
        var stats = db.IsPostgres
            ? await db.ShowStats.FromSqlInterpolated($"SELECT * FROM show_stats WHERE show_id = {showId} FOR UPDATE").SingleAsync(ct)
            : await db.ShowStats.SingleAsync(s => s.ShowId == showId, ct);
        change(stats);
        stats.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }
}

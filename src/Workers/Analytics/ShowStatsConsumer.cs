using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Inbox;
using BookMyShow.Core.Outbox;
using BookMyShow.Core.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace BookMyShow.Workers.Analytics;

/// <summary>
/// Keeps the per-show totals operators read at <c>GET /v1/ops/shows/{id}/stats</c>. Events come in batches (an
/// on-sale or an expiry burst is thousands of events for one show): each batch records its events in the inbox and
/// changes the totals in one transaction, so a redelivered event counts once and a burst costs a few commits.
/// </summary>
public sealed class ShowStatsConsumer(IDbContextFactory<BookingDbContext> contexts, TimeProvider time, ILogger<ShowStatsConsumer> logger) :
    IConsumer<Batch<HoldsDecided>>,
    IConsumer<Batch<BookingConfirmed>>,
    IConsumer<Batch<BookingReleased>>,
    IConsumer<Batch<BookingsExpired>>,
    IConsumer<Batch<BookingRefunded>>
{
    public const string InboxName = "analytics";

    sealed record Change(Guid MessageId, string ShowId, string Currency, Action<ShowStats> Apply);

    static Guid IdOf(ConsumeContext context) =>
        context.MessageId ?? throw new InvalidOperationException("A booking event without a message id cannot be counted exactly once.");

    /// <summary>
    /// A grant is announced once, by its decision (ADR 0016), among its batch's decisions (ADR 0022): one change per show
    /// of the batch, counted under an id derived from the message's and the show's.
    /// </summary>
    public Task Consume(ConsumeContext<Batch<HoldsDecided>> context) =>
        ApplyAsync(context.Message.SelectMany(c => c.Message.Placed.GroupBy(p => p.ShowId).Select(show => new Change(
            OutboxWriter.DerivedMessageId(IdOf(c), HeldPurpose + show.Key), show.Key, show.First().Currency, s =>
            {
                s.Holds += show.Count();
                s.HeldSeats += show.Sum(p => p.SeatIds.Count);
            }))), context.CancellationToken);

    /// <summary>The purpose a show's share of a batch's grants is counted under (<see cref="OutboxWriter.DerivedMessageId"/>).</summary>
    public const string HeldPurpose = "analytics.held:";

    public Task Consume(ConsumeContext<Batch<BookingConfirmed>> context) =>
        ApplyAsync(context.Message.Select(c => new Change(IdOf(c), c.Message.ShowId, c.Message.Currency, s =>
        {
            s.Bookings++;
            s.ConfirmedSeats += c.Message.SeatIds.Count;
            s.Revenue += c.Message.Amount;
        })), context.CancellationToken);

    public Task Consume(ConsumeContext<Batch<BookingReleased>> context) =>
        ApplyAsync(context.Message.Select(c => new Change(IdOf(c), c.Message.ShowId, c.Message.Currency, s => s.ReleasedSeats += c.Message.SeatIds.Count)),
            context.CancellationToken);

    /// <summary>
    /// One expiry (many holds, of one show or several) is one change per show, each recorded in the inbox under an id
    /// derived from the message's and the show's, so a redelivery counts none of them again.
    /// </summary>
    public Task Consume(ConsumeContext<Batch<BookingsExpired>> context) =>
        ApplyAsync(context.Message.SelectMany(c => c.Message.Bookings.GroupBy(b => b.ShowId).Select(show => new Change(
            OutboxWriter.DerivedMessageId(IdOf(c), ExpiredPurpose + show.Key), show.Key, show.First().Currency,
            s => s.ExpiredSeats += show.Sum(b => b.SeatIds.Count)))), context.CancellationToken);

    /// <summary>The purpose a show's share of an expiry is counted under (<see cref="OutboxWriter.DerivedMessageId"/>).</summary>
    public const string ExpiredPurpose = "analytics.expired:";

    public Task Consume(ConsumeContext<Batch<BookingRefunded>> context) =>
        ApplyAsync(context.Message.Select(c => new Change(IdOf(c), c.Message.ShowId, c.Message.Currency, s =>
        {
            s.Refunds++;
            // A refunded duplicate charge leaves the booking (and its seats) standing: only the money counts.
            if (c.Message.BookingId is null) s.RefundedSeats += c.Message.SeatIds.Count;
            s.RefundedAmount += c.Message.Amount;
        })), context.CancellationToken);

    async Task ApplyAsync(IEnumerable<Change> batch, CancellationToken ct)
    {
        var changes = batch.ToList();
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The whole batch's inbox rows in one statement; a redelivered event (or one listed twice) counts once.
        var recorded = await db.TryRecordInboxAsync(InboxName, changes.Select(c => c.MessageId).ToList(), now, ct);
        var fresh = new List<Change>(changes.Count);
        foreach (var change in changes)
        {
            if (recorded.Remove(change.MessageId)) fresh.Add(change);
            else logger.LogInformation("Event {MessageId} already handled by {Consumer}; skipped", change.MessageId, InboxName);
        }
        if (fresh.Count == 0)
        {
            await tx.RollbackAsync(ct);
            return;
        }

        // Rows exist before they are locked, so concurrent first events for a show do not race on the insert; locked
        // in show order, so two batches never wait on each other in a circle.
        var showIds = fresh.Select(c => c.ShowId).Distinct().Order(StringComparer.Ordinal).ToList();
        var currencies = showIds.Select(id => fresh.First(c => c.ShowId == id).Currency).ToArray();
        if (db.IsPostgres)
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO show_stats (show_id, held_seats, confirmed_seats, released_seats, expired_seats, refunded_seats, holds, bookings, refunds, revenue, refunded_amount, currency, updated_at)
                SELECT s, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, c, {now} FROM unnest({showIds.ToArray()}, {currencies}) AS x(s, c)
                ON CONFLICT (show_id) DO NOTHING
                """, ct);
        }
        else
        {
            for (var i = 0; i < showIds.Count; i++)
            {
                await db.Database.ExecuteSqlInterpolatedAsync(
                    $"INSERT INTO show_stats (show_id, held_seats, confirmed_seats, released_seats, expired_seats, refunded_seats, holds, bookings, refunds, revenue, refunded_amount, currency, updated_at) VALUES ({showIds[i]}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, {currencies[i]}, {now}) ON CONFLICT (show_id) DO NOTHING",
                    ct);
            }
        }
        var stats = db.IsPostgres
            ? await db.ShowStats.FromSqlInterpolated($"SELECT * FROM show_stats WHERE show_id = ANY({showIds.ToArray()}) ORDER BY show_id FOR UPDATE").ToDictionaryAsync(s => s.ShowId, ct)
            : await db.ShowStats.Where(s => showIds.Contains(s.ShowId)).ToDictionaryAsync(s => s.ShowId, ct);
        foreach (var change in fresh)
        {
            var row = stats[change.ShowId];
            change.Apply(row);
            row.UpdatedAt = now;
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }
}

/// <summary>
/// Batches for the analytics consumer: up to 100 events of a type, gathered for at most 200 ms. The totals are for
/// operators, not for users waiting on an answer: a fifth of a second late, they cost a transaction per hundred events
/// in steady traffic too, instead of one per event or two.
/// </summary>
public sealed class ShowStatsConsumerDefinition : ConsumerDefinition<ShowStatsConsumer>
{
    public const int BatchSize = 100;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ShowStatsConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        consumerConfigurator.Options<BatchOptions>(o => o.SetMessageLimit(BatchSize).SetTimeLimit(TimeSpan.FromMilliseconds(200)).SetConcurrencyLimit(1));
}

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

        // The batch's changes summed per show, then added to the totals with one upsert: a row is locked by its own
        // update (no read first), and the shows go in order, so two batches never wait on each other in a circle.
        var deltas = new SortedDictionary<string, ShowStats>(StringComparer.Ordinal);
        foreach (var change in fresh)
        {
            if (!deltas.TryGetValue(change.ShowId, out var delta))
            {
                deltas[change.ShowId] = delta = new ShowStats { ShowId = change.ShowId, Currency = change.Currency, UpdatedAt = now };
            }
            change.Apply(delta);
        }
        var rows = deltas.Values.ToList();
        if (db.IsPostgres)
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO show_stats AS t (show_id, held_seats, confirmed_seats, released_seats, expired_seats, refunded_seats, holds, bookings, refunds, revenue, refunded_amount, currency, updated_at)
                SELECT x.*, {now} FROM unnest({rows.Select(r => r.ShowId).ToArray()}, {rows.Select(r => r.HeldSeats).ToArray()}, {rows.Select(r => r.ConfirmedSeats).ToArray()},
                    {rows.Select(r => r.ReleasedSeats).ToArray()}, {rows.Select(r => r.ExpiredSeats).ToArray()}, {rows.Select(r => r.RefundedSeats).ToArray()},
                    {rows.Select(r => r.Holds).ToArray()}, {rows.Select(r => r.Bookings).ToArray()}, {rows.Select(r => r.Refunds).ToArray()},
                    {rows.Select(r => r.Revenue).ToArray()}, {rows.Select(r => r.RefundedAmount).ToArray()}, {rows.Select(r => r.Currency).ToArray()}) AS x
                ON CONFLICT (show_id) DO UPDATE SET
                    held_seats = t.held_seats + excluded.held_seats, confirmed_seats = t.confirmed_seats + excluded.confirmed_seats,
                    released_seats = t.released_seats + excluded.released_seats, expired_seats = t.expired_seats + excluded.expired_seats,
                    refunded_seats = t.refunded_seats + excluded.refunded_seats, holds = t.holds + excluded.holds, bookings = t.bookings + excluded.bookings,
                    refunds = t.refunds + excluded.refunds, revenue = t.revenue + excluded.revenue, refunded_amount = t.refunded_amount + excluded.refunded_amount,
                    currency = coalesce(t.currency, excluded.currency), updated_at = excluded.updated_at
                """, ct);
        }
        else
        {
            // SQLite (embedded) keeps decimals as text, which its arithmetic would turn into floating point: the totals
            // are read, added to in .NET and written back (its one writer at a time makes that safe).
            var ids = rows.Select(r => r.ShowId).ToList();
            var stats = await db.ShowStats.Where(x => ids.Contains(x.ShowId)).ToDictionaryAsync(x => x.ShowId, ct);
            foreach (var change in fresh)
            {
                if (!stats.TryGetValue(change.ShowId, out var row))
                {
                    stats[change.ShowId] = row = new ShowStats { ShowId = change.ShowId, Currency = change.Currency };
                    db.ShowStats.Add(row);
                }
                change.Apply(row);
                row.UpdatedAt = now;
            }
            await db.SaveChangesAsync(ct);
        }
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

using BookMyShow.Contracts.Bookings;
using BookMyShow.Core.Inbox;
using BookMyShow.Core.Outbox;
using BookMyShow.Core.Persistence;
using BookMyShow.Workers.Notifications.Email;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BookMyShow.Workers.Notifications;

/// <summary>
/// E-mails people about their bookings: confirmed, hold about to expire, expired, refunded. The inbox row and the
/// send share a transaction: a redelivered event finds the row and sends nothing; a failed send rolls the row back so
/// the retry (and later an operator's replay from the error queue) sends it. Runs on its own queue, so a mail server
/// that is down delays mail and nothing else.
/// </summary>
public sealed class BookingEmailConsumer(
    IDbContextFactory<BookingDbContext> contexts,
    BookingEmailComposer composer,
    IMailSender sender,
    IOptions<MailOptions> mail,
    TimeProvider time,
    ILogger<BookingEmailConsumer> logger) :
    IConsumer<BookingConfirmed>,
    IConsumer<HoldExpiring>,
    IConsumer<BookingsExpired>,
    IConsumer<BookingRefunded>
{
    public const string InboxName = "notifications-email";

    public Task Consume(ConsumeContext<BookingConfirmed> context)
    {
        var m = context.Message;
        return SendAsync(context, new Draft(BookingEmailKind.Confirmed, m.UserId, m.HoldId, m.BookingId, m.ShowId, m.SeatIds, m.Amount, m.Currency, m.ConfirmedAt));
    }

    public Task Consume(ConsumeContext<HoldExpiring> context)
    {
        var m = context.Message;
        return SendAsync(context, new Draft(BookingEmailKind.HoldExpiring, m.UserId, m.HoldId, null, m.ShowId, m.SeatIds, m.Amount, m.Currency, m.WarnedAt, ExpiresAt: m.ExpiresAt));
    }

    /// <summary>
    /// One e-mail per hold of the expiry, each recorded in the inbox under an id derived from the message's and the
    /// hold's: a redelivery (after a failed send half-way through the list) sends only the ones not sent yet. The
    /// addresses are looked up once for the whole list, each show once; in a burst most users may have none.
    /// </summary>
    public async Task Consume(ConsumeContext<BookingsExpired> context)
    {
        var m = context.Message;
        var messageId = IdOf(context);
        var ct = context.CancellationToken;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var userIds = m.Bookings.Select(b => b.UserId).Distinct().ToList();
        var addresses = await db.UserContacts.AsNoTracking().Where(c => userIds.Contains(c.UserId)).ToDictionaryAsync(c => c.UserId, c => c.Email, ct);
        if (addresses.Count == 0) return;
        var shows = new Dictionary<string, ShowInfo?>();
        foreach (var b in m.Bookings)
        {
            if (!addresses.TryGetValue(b.UserId, out var address)) continue;
            if (!shows.TryGetValue(b.ShowId, out var show))
            {
                shows[b.ShowId] = show = await FindShowAsync(db, b.ShowId, ct);
                if (show is null) logger.LogWarning("Show {ShowId} of expired holds is not in the catalog; no e-mail sent for them", b.ShowId);
            }
            if (show is null) continue;
            var draft = new Draft(BookingEmailKind.Expired, b.UserId, b.HoldId, null, b.ShowId, b.SeatIds, b.Amount, b.Currency, m.ExpiredAt);
            await SendOnceAsync(db, OutboxWriter.DerivedMessageId(messageId, ExpiredPurpose + b.HoldId), Compose(draft, address, show), ct);
        }
    }

    /// <summary>The purpose an expired hold's inbox id is derived with (<see cref="OutboxWriter.DerivedMessageId"/>).</summary>
    public const string ExpiredPurpose = "email.expired:";

    public Task Consume(ConsumeContext<BookingRefunded> context)
    {
        var m = context.Message;
        return SendAsync(context, new Draft(BookingEmailKind.Refunded, m.UserId, m.HoldId, m.BookingId, m.ShowId, m.SeatIds, m.Amount, m.Currency, m.RefundedAt, RefundId: m.RefundId));
    }

    sealed record Draft(BookingEmailKind Kind, string UserId, string HoldId, string? BookingId, string ShowId, IReadOnlyList<string> SeatIds,
        decimal Amount, string Currency, DateTimeOffset OccurredAt, DateTimeOffset? ExpiresAt = null, string? RefundId = null);

    static Guid IdOf(ConsumeContext context) =>
        context.MessageId ?? throw new InvalidOperationException("A booking event without a message id cannot be mailed exactly once.");

    async Task SendAsync(ConsumeContext context, Draft draft)
    {
        var messageId = IdOf(context);
        var ct = context.CancellationToken;
        await using var db = await contexts.CreateDbContextAsync(ct);
        // Nothing to send (no address, unknown show) is nothing to remember: no transaction, no inbox row.
        var contact = await db.UserContacts.AsNoTracking().FirstOrDefaultAsync(c => c.UserId == draft.UserId, ct);
        if (contact is null)
        {
            logger.LogDebug("No e-mail address for user {UserId}; {Kind} e-mail for hold {HoldId} not sent", draft.UserId, draft.Kind, draft.HoldId);
            return;
        }
        var show = await FindShowAsync(db, draft.ShowId, ct);
        if (show is null)
        {
            logger.LogWarning("Show {ShowId} of hold {HoldId} is not in the catalog; {Kind} e-mail not sent", draft.ShowId, draft.HoldId, draft.Kind);
            return;
        }
        await SendOnceAsync(db, messageId, Compose(draft, contact.Email, show), ct);
    }

    /// <summary>
    /// Records <paramref name="inboxId"/> and sends the mail in one transaction: a redelivered event finds the row and
    /// sends nothing; a failed send rolls the row back so the retry sends it.
    /// </summary>
    async Task SendOnceAsync(BookingDbContext db, Guid inboxId, BookingEmail email, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await db.TryRecordInboxAsync(InboxName, inboxId, time.GetUtcNow().UtcDateTime, ct))
        {
            await tx.RollbackAsync(ct);
            logger.LogInformation("Event {MessageId} already handled by {Consumer}; skipped", inboxId, InboxName);
            return;
        }
        // From here on the consume's cancellation (the broker connection dropping, the worker stopping) is not
        // passed on: a mail that went out must be recorded, or the redelivery would send it a second time.
        await sender.SendAsync(composer.Compose(email, mail.Value, inboxId.ToString("N")), CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
    }

    sealed record ShowInfo(DateTime StartsAt, string Title, string Venue, string Screen, string? City);

    static Task<ShowInfo?> FindShowAsync(BookingDbContext db, string showId, CancellationToken ct) => (
            from s in db.Shows.AsNoTracking()
            join m in db.Movies on s.MovieId equals m.Id
            join v in db.Venues on s.VenueId equals v.Id
            join sc in db.Screens on s.ScreenId equals sc.Id
            join c in db.Cities on s.CityId equals c.Id into cities
            from c in cities.DefaultIfEmpty()
            where s.Id == showId
            select new ShowInfo(s.StartsAt, m.Title, v.Name, sc.Name, c == null ? null : c.Name))
        .FirstOrDefaultAsync(ct);

    static BookingEmail Compose(Draft draft, string to, ShowInfo show) => new()
    {
        Kind = draft.Kind, To = to, UserId = draft.UserId, HoldId = draft.HoldId, BookingId = draft.BookingId,
        ShowTitle = show.Title, VenueName = show.Venue, ScreenName = show.Screen, City = show.City,
        StartsAt = new DateTimeOffset(show.StartsAt, TimeSpan.Zero), SeatLabels = draft.SeatIds, Amount = draft.Amount, Currency = draft.Currency,
        ExpiresAt = draft.ExpiresAt, RefundId = draft.RefundId, OccurredAt = draft.OccurredAt,
    };
}

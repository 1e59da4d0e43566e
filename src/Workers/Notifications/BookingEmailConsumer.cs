using BookMyShow.Contracts.Bookings;
using BookMyShow.Core.Inbox;
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
    IConsumer<BookingExpired>,
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

    public Task Consume(ConsumeContext<BookingExpired> context)
    {
        var m = context.Message;
        return SendAsync(context, new Draft(BookingEmailKind.Expired, m.UserId, m.HoldId, null, m.ShowId, m.SeatIds, m.Amount, m.Currency, m.ExpiredAt));
    }

    public Task Consume(ConsumeContext<BookingRefunded> context)
    {
        var m = context.Message;
        return SendAsync(context, new Draft(BookingEmailKind.Refunded, m.UserId, m.HoldId, m.BookingId, m.ShowId, m.SeatIds, m.Amount, m.Currency, m.RefundedAt, RefundId: m.RefundId));
    }

    sealed record Draft(BookingEmailKind Kind, string UserId, string HoldId, string? BookingId, string ShowId, IReadOnlyList<string> SeatIds,
        decimal Amount, string Currency, DateTimeOffset OccurredAt, DateTimeOffset? ExpiresAt = null, string? RefundId = null);

    async Task SendAsync(ConsumeContext context, Draft draft)
    {
        var messageId = context.MessageId ?? throw new InvalidOperationException("A booking event without a message id cannot be mailed exactly once.");
        var ct = context.CancellationToken;
        await using var db = await contexts.CreateDbContextAsync(ct);
        // Nothing to send (no address, unknown show) is nothing to remember: no transaction, no inbox row.
        var email = await BuildAsync(db, draft, ct);
        if (email is null) return;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await db.TryRecordInboxAsync(InboxName, messageId, time.GetUtcNow().UtcDateTime, ct))
        {
            await tx.RollbackAsync(ct);
            logger.LogInformation("Event {MessageId} already handled by {Consumer}; skipped", messageId, InboxName);
            return;
        }
        // From here on the consume's cancellation (the broker connection dropping, the worker stopping) is not
        // passed on: a mail that went out must be recorded, or the redelivery would send it a second time.
        await sender.SendAsync(composer.Compose(email, mail.Value, messageId.ToString("N")), CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
    }

    async Task<BookingEmail?> BuildAsync(BookingDbContext db, Draft draft, CancellationToken ct)
    {
        var contact = await db.UserContacts.AsNoTracking().FirstOrDefaultAsync(c => c.UserId == draft.UserId, ct);
        if (contact is null)
        {
            logger.LogDebug("No e-mail address for user {UserId}; {Kind} e-mail for hold {HoldId} not sent", draft.UserId, draft.Kind, draft.HoldId);
            return null;
        }
        var show = await (
            from s in db.Shows.AsNoTracking()
            join m in db.Movies on s.MovieId equals m.Id
            join v in db.Venues on s.VenueId equals v.Id
            join sc in db.Screens on s.ScreenId equals sc.Id
            join c in db.Cities on s.CityId equals c.Id into cities
            from c in cities.DefaultIfEmpty()
            where s.Id == draft.ShowId
            select new { s.StartsAt, m.Title, Venue = v.Name, Screen = sc.Name, City = c == null ? null : c.Name })
            .FirstOrDefaultAsync(ct);
        if (show is null)
        {
            logger.LogWarning("Show {ShowId} of hold {HoldId} is not in the catalog; {Kind} e-mail not sent", draft.ShowId, draft.HoldId, draft.Kind);
            return null;
        }
        return new BookingEmail
        {
            Kind = draft.Kind, To = contact.Email, UserId = draft.UserId, HoldId = draft.HoldId, BookingId = draft.BookingId,
            ShowTitle = show.Title, VenueName = show.Venue, ScreenName = show.Screen, City = show.City,
            StartsAt = new DateTimeOffset(show.StartsAt, TimeSpan.Zero), SeatLabels = draft.SeatIds, Amount = draft.Amount, Currency = draft.Currency,
            ExpiresAt = draft.ExpiresAt, RefundId = draft.RefundId, OccurredAt = draft.OccurredAt,
        };
    }
}

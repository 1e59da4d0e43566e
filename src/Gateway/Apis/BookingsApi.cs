using System.Diagnostics;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BookMyShow.Contracts.Bookings;
using BookMyShow.Core.Bookings;
using BookMyShow.Core.Persistence;
using BookMyShow.Gateway.Admission;
using BookMyShow.Gateway.Auth;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BookMyShow.Gateway.Apis;

/// <summary>Pay for a hold and confirm it, exactly once per Idempotency-Key; read bookings.</summary>
public static class BookingsApi
{
    public static IEndpointRouteBuilder MapBookingsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/bookings").WithTags("Bookings").RequireAuthorization();
        api.MapPost("/confirm", Confirm)
            .WithSummary("Pay for a hold and confirm it. Requires Idempotency-Key; waits up to Bookings:ConfirmWait for the outcome.");
        api.MapGet("/{booking_id:id}", GetBooking).WithSummary("One of your bookings.");
        return app;
    }

    /// <summary>What a confirmation needs, besides the request itself.</summary>
    public sealed record ConfirmServices(
        BookingDbContext Db, IPublishEndpoint Publisher, OutcomeNotifier Notifier, IOptions<BookingOptions> Options, TimeProvider Time, ILogger<ConfirmBookingRequest> Logger);

    // 402, 409, 410 and 503 also come as stored answers (StoredAnswer describes those).
    [ProblemResponses(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status503ServiceUnavailable)]
    static async Task<Results<StoredAnswer, Accepted<ConfirmPendingResponse>, ProblemHttpResult>> Confirm(
        [FromBody] ConfirmBookingRequest body,
        [AsParameters] ConfirmServices services, ClaimsPrincipal user, HttpRequest httpRequest, HttpResponse response, CancellationToken ct)
    {
        var (db, publisher, notifier, options, time, logger) = services;
        var userId = user.UserId();
        // Read, not bound: [FromHeader] binds no StringValues, and a string[] loses an empty value, which must be refused.
        var (key, badKey) = IdempotencyKeys.ForConfirm(httpRequest.Headers[IdempotencyKeys.Header]);
        if (badKey is not null) return badKey;
        var (holdId, paymentToken, invalid) = body.Validate();
        if (invalid is not null) return invalid;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{holdId}\n{paymentToken}")));

        var existing = await db.ConfirmRequests.AsNoTracking().FirstOrDefaultAsync(r => r.UserId == userId && r.IdempotencyKey == key, ct);
        if (existing is not null) return await ReplayAsync(db, notifier, options.Value, existing, hash, ct);

        var hold = await db.Holds.AsNoTracking().FirstOrDefaultAsync(h => h.Id == holdId, ct);
        if (hold is null) return Problems.NotFound($"Hold '{holdId}' does not exist.");
        if (hold.UserId != userId) return Problems.Forbidden("This hold belongs to another user.");

        var now = time.GetUtcNow().UtcDateTime;
        var request = new ConfirmRequest
        {
            UserId = userId, IdempotencyKey = key, HoldId = holdId, RequestHash = hash, AttemptId = "a_" + NewId.NextGuid().ToString("N"), CreatedAt = now,
        };
        db.ConfirmRequests.Add(request);
        var ended = HoldRequestViews.ToResponse(hold, now).Status;
        if (ended != HoldStatus.Active)
        {
            // Nothing to pay for: answer now, and keep the answer under the key.
            var (status, answer) = ended switch
            {
                HoldStatus.Expired => (410, ConfirmAnswers.Problem(410, "Hold expired", "The hold expired; its seats were released.", holdId)),
                HoldStatus.Released => (409, ConfirmAnswers.Problem(409, "Hold released", "The hold was released; nothing is booked.", holdId)),
                _ => (409, ConfirmAnswers.Problem(409, "Hold not active", "The hold was already confirmed under another Idempotency-Key.", holdId)),
            };
            request.StatusCode = status;
            request.ResponseBody = JsonSerializer.Serialize(answer, AnswerJson);
            request.AnsweredAt = now;
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same key arrived twice at once: the other request is the one that pays.
            db.ChangeTracker.Clear();
            var winner = await db.ConfirmRequests.AsNoTracking().FirstAsync(r => r.UserId == userId && r.IdempotencyKey == key, ct);
            return await ReplayAsync(db, notifier, options.Value, winner, hash, ct);
        }
        if (request.StatusCode is not null) return new StoredAnswer(request);

        var watchKey = OutcomeNotifier.ForConfirmation(holdId, request.AttemptId);
        var watched = notifier.Watch(watchKey);
        try
        {
            await publisher.Publish(new ConfirmBooking
            {
                HoldId = holdId, ShowId = hold.ShowId, UserId = userId, AttemptId = request.AttemptId, PaymentToken = paymentToken, IdempotencyKey = key,
                SeatIds = SeatList.Split(hold.SeatIds), Amount = hold.TotalPrice, Currency = hold.Currency,
                ExpiresAt = new DateTimeOffset(hold.ExpiresAt, TimeSpan.Zero),
            }, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Could not hand the confirmation of hold {HoldId} to the broker", holdId);
            notifier.Forget(watchKey);
            // Nothing was started: free the key so a retry with it starts afresh.
            await db.ConfirmRequests.Where(r => r.UserId == userId && r.IdempotencyKey == key && r.StatusCode == null).ExecuteDeleteAsync(CancellationToken.None);
            response.Headers.RetryAfter = "2";
            return Problems.Unavailable("Confirmation unavailable", "The confirmation could not be queued; nothing was charged. Try again.");
        }
        return await AwaitAnswerAsync(db, notifier, options.Value, request, watched, ct);
    }

    static async Task<Results<StoredAnswer, Accepted<ConfirmPendingResponse>, ProblemHttpResult>> ReplayAsync(BookingDbContext db, OutcomeNotifier notifier, BookingOptions options, ConfirmRequest existing, string hash, CancellationToken ct)
    {
        if (existing.RequestHash != hash)
        {
            return Problems.Of(StatusCodes.Status422UnprocessableEntity, "Idempotency key reused", "This Idempotency-Key was used for a different confirm request.");
        }
        if (existing.StatusCode is not null) return new StoredAnswer(existing);
        var watched = notifier.Watch(OutcomeNotifier.ForConfirmation(existing.HoldId, existing.AttemptId));
        return await AwaitAnswerAsync(db, notifier, options, existing, watched, ct);
    }

    static async Task<Results<StoredAnswer, Accepted<ConfirmPendingResponse>, ProblemHttpResult>> AwaitAnswerAsync(BookingDbContext db, OutcomeNotifier notifier, BookingOptions options, ConfirmRequest request, Task<object> watched, CancellationToken ct)
    {
        // A monotonic clock: the wait is a duration, whatever the wall clock does meanwhile.
        var started = Stopwatch.GetTimestamp();
        var key = OutcomeNotifier.ForConfirmation(request.HoldId, request.AttemptId);
        while (true)
        {
            var answered = await db.ConfirmRequests.AsNoTracking()
                .FirstAsync(r => r.UserId == request.UserId && r.IdempotencyKey == request.IdempotencyKey, ct);
            if (answered.StatusCode is not null)
            {
                notifier.Forget(key);
                return new StoredAnswer(answered);
            }
            var left = options.ConfirmWait - Stopwatch.GetElapsedTime(started);
            if (left <= TimeSpan.Zero) break;
            // Woken by the answer's event; the periodic re-read covers an event that went to another gateway first.
            await notifier.WaitAsync(key, watched, left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), ct);
            if (watched.IsCompleted) watched = notifier.Watch(key);
        }
        notifier.Forget(key);
        var statusUrl = $"/v1/holds/{request.HoldId}";
        return TypedResults.Accepted(statusUrl, new ConfirmPendingResponse(request.HoldId, "PAYMENT_PENDING", statusUrl));
    }

    static readonly JsonSerializerOptions AnswerJson = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    [ProblemResponses(StatusCodes.Status404NotFound)]
    static async Task<Results<Ok<BookingResponse>, ProblemHttpResult>> GetBooking(string booking_id, ClaimsPrincipal user, BookingDbContext db, CancellationToken ct)
    {
        var booking = await db.Bookings.AsNoTracking().FirstOrDefaultAsync(b => b.Id == booking_id, ct);
        if (booking is null || booking.UserId != user.UserId()) return Problems.NotFound($"Booking '{booking_id}' does not exist.");
        return TypedResults.Ok(new BookingResponse(booking.Id, booking.HoldId, booking.ShowId, SeatList.Split(booking.SeatIds), booking.TotalAmount,
            booking.Currency, booking.Status, new DateTimeOffset(booking.CreatedAt, TimeSpan.Zero)));
    }
}

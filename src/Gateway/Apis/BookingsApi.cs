using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BookMyShow.Contracts.Bookings;
using BookMyShow.Core.Bookings;
using BookMyShow.Core.Persistence;
using BookMyShow.Gateway.Admission;
using BookMyShow.Gateway.Auth;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BookMyShow.Gateway.Apis;

/// <summary>The confirm request body (documentation only: the body is parsed by hand for precise errors).</summary>
public sealed record ConfirmRequestBody(string HoldId, string PaymentToken);

public sealed record ConfirmPendingResponse(string HoldId, string Status, string StatusUrl);

public sealed record BookingResponse(string BookingId, string HoldId, string ShowId, IReadOnlyList<string> Seats, decimal TotalCharged, string Currency, string Status, DateTimeOffset CreatedAt);

/// <summary>Pay for a hold and confirm it, exactly once per Idempotency-Key; read bookings.</summary>
public static class BookingsApi
{
    const int MaxKeyLength = 200;

    public static IEndpointRouteBuilder MapBookingsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/bookings").WithTags("Bookings").RequireAuthorization();
        api.MapPost("/confirm", Confirm)
            .WithSummary("Pay for a hold and confirm it. Requires Idempotency-Key; waits up to Bookings:ConfirmWait for the outcome.")
            .Accepts<ConfirmRequestBody>("application/json")
            .Produces<JsonElement>(StatusCodes.Status200OK)
            .Produces<ConfirmPendingResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(400).ProducesProblem(402).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(410).ProducesProblem(422).ProducesProblem(503);
        api.MapGet("/{booking_id}", GetBooking).WithSummary("One of your bookings.").Produces<BookingResponse>().ProducesProblem(404);
        return app;
    }

    static async Task<IResult> Confirm(HttpContext http, BookingDbContext db, IPublishEndpoint publisher, OutcomeNotifier notifier,
        IOptions<BookingOptions> options, TimeProvider time, ILogger<ConfirmRequestBody> logger)
    {
        var ct = http.RequestAborted;
        var userId = http.User.UserId();
        string? key = http.Request.Headers["Idempotency-Key"];
        if (string.IsNullOrEmpty(key)) return Problems.BadRequest("The Idempotency-Key header is required.");
        if (key.Length > MaxKeyLength) return Problems.BadRequest($"Idempotency-Key must be at most {MaxKeyLength} characters.");

        var body = await JsonBody.ReadObjectAsync(http.Request);
        if (body.Problem is not null) return body.Problem;
        if (!TryString(body.Root, "hold_id", out var holdId)) return Problems.BadRequest("hold_id is required and must be a string.");
        if (!TryString(body.Root, "payment_token", out var paymentToken)) return Problems.BadRequest("payment_token is required and must be a string.");
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{holdId}\n{paymentToken}")));

        var existing = await db.ConfirmRequests.AsNoTracking().FirstOrDefaultAsync(r => r.UserId == userId && r.IdempotencyKey == key, ct);
        if (existing is not null) return await ReplayAsync(http, db, notifier, options.Value, existing, hash, ct);

        var hold = await db.Holds.AsNoTracking().FirstOrDefaultAsync(h => h.Id == holdId, ct);
        if (hold is null) return Problems.NotFound($"Hold '{holdId}' does not exist.");
        if (hold.UserId != userId) return Problems.Forbidden("This hold belongs to another user.");

        var now = time.GetUtcNow().UtcDateTime;
        var request = new ConfirmRequest
        {
            UserId = userId, IdempotencyKey = key, HoldId = holdId, RequestHash = hash, AttemptId = "a_" + NewId.NextGuid().ToString("N"), CreatedAt = now,
        };
        db.ConfirmRequests.Add(request);
        var ended = HoldRequestViews.ToDto(hold, now).Status;
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
            return await ReplayAsync(http, db, notifier, options.Value, winner, hash, ct);
        }
        if (request.StatusCode is not null) return Stored(request);

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
            http.Response.Headers.RetryAfter = "2";
            return Problems.Of(StatusCodes.Status503ServiceUnavailable, "Confirmation unavailable", "The confirmation could not be queued; nothing was charged. Try again.");
        }
        return await AwaitAnswerAsync(http, db, notifier, options.Value, request, watched, ct);
    }

    static async Task<IResult> ReplayAsync(HttpContext http, BookingDbContext db, OutcomeNotifier notifier, BookingOptions options, ConfirmRequest existing, string hash, CancellationToken ct)
    {
        if (existing.RequestHash != hash)
        {
            return Problems.Of(StatusCodes.Status422UnprocessableEntity, "Idempotency key reused", "This Idempotency-Key was used for a different confirm request.");
        }
        if (existing.StatusCode is not null) return Stored(existing);
        var watched = notifier.Watch(OutcomeNotifier.ForConfirmation(existing.HoldId, existing.AttemptId));
        return await AwaitAnswerAsync(http, db, notifier, options, existing, watched, ct);
    }

    static async Task<IResult> AwaitAnswerAsync(HttpContext http, BookingDbContext db, OutcomeNotifier notifier, BookingOptions options, ConfirmRequest request, Task<object> watched, CancellationToken ct)
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
                return Stored(answered);
            }
            var left = options.ConfirmWait - Stopwatch.GetElapsedTime(started);
            if (left <= TimeSpan.Zero) break;
            // Woken by the answer's event; the periodic re-read covers an event that went to another gateway first.
            await notifier.WaitAsync(key, watched, left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), ct);
            if (watched.IsCompleted) watched = notifier.Watch(key);
        }
        notifier.Forget(key);
        var statusUrl = $"/v1/holds/{request.HoldId}";
        http.Response.Headers.Location = statusUrl;
        return TypedResults.Json(new ConfirmPendingResponse(request.HoldId, "PAYMENT_PENDING", statusUrl), statusCode: StatusCodes.Status202Accepted);
    }

    static readonly JsonSerializerOptions AnswerJson = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    static Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult Stored(ConfirmRequest request)
    {
        var status = request.StatusCode!.Value;
        var contentType = status >= 400 ? "application/problem+json" : "application/json";
        return TypedResults.Content(request.ResponseBody, contentType, Encoding.UTF8, status);
    }

    static async Task<IResult> GetBooking(string booking_id, HttpContext http, BookingDbContext db)
    {
        var booking = await db.Bookings.AsNoTracking().FirstOrDefaultAsync(b => b.Id == booking_id, http.RequestAborted);
        if (booking is null || booking.UserId != http.User.UserId()) return Problems.NotFound($"Booking '{booking_id}' does not exist.");
        return TypedResults.Ok(new BookingResponse(booking.Id, booking.HoldId, booking.ShowId, SeatList.Split(booking.SeatIds), booking.TotalAmount,
            booking.Currency, booking.Status, new DateTimeOffset(booking.CreatedAt, TimeSpan.Zero)));
    }

    static bool TryString(JsonElement root, string name, out string value)
    {
        value = "";
        if (!root.TryGetProperty(name, out var element) || element.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(element.GetString())) return false;
        value = element.GetString()!;
        return value.Length <= 200;
    }
}

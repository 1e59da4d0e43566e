using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Holds;
using BookMyShow.Core.Persistence;
using BookMyShow.Gateway.Admission;
using BookMyShow.Gateway.Auth;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace BookMyShow.Gateway.Apis;

/// <summary>The hold request body (documentation only: the body is parsed by hand for precise errors).</summary>
public sealed record HoldRequestBody(IReadOnlyList<string> SeatIds, string? UserId);

public sealed record HoldQueuedResponse(string RequestId, string ShowId, string Status, long Position, int EstimatedWaitSeconds, string StatusUrl, string EventsUrl);

/// <summary>Queued hold admission and the request's outcome, by poll or by Server-Sent Events.</summary>
public static class HoldRequestsApi
{
    const int MaxWaitSeconds = 30;
    /// <summary>How often an event stream tells a waiting client its new position.</summary>
    static readonly TimeSpan PositionEvery = TimeSpan.FromSeconds(5);
    const int MaxIdempotencyKeyLength = 200;

    public static IEndpointRouteBuilder MapHoldRequestsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1").WithTags("Holds").RequireAuthorization();
        api.MapPost("/shows/{show_id}/hold", PlaceHold)
            .WithSummary("Ask to hold seats. Answers 202 with a queue position; with 'Prefer: wait=N' may answer 201 or 409 directly.")
            .Accepts<HoldRequestBody>("application/json")
            .Produces<HoldQueuedResponse>(StatusCodes.Status202Accepted)
            .Produces<HoldDto>(StatusCodes.Status201Created)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422).ProducesProblem(503);
        api.MapGet("/hold-requests/{request_id}", GetRequest)
            .WithSummary("The request's status: QUEUED (with position), HELD (with the hold) or REJECTED.")
            .Produces<HoldRequestView>().ProducesProblem(404);
        api.MapGet("/hold-requests/{request_id}/events", StreamRequest)
            .WithSummary("Server-Sent Events: a 'status' event when the status changes and a new position at most every 5 s; the stream ends after the final one.")
            .Produces<HoldRequestView>(contentType: "text/event-stream").ProducesProblem(404);
        return app;
    }

    static async Task<IResult> PlaceHold(
        string show_id, HttpContext http, ShowLayouts layouts, HoldAdmission admission, HoldRequestViews views, OutcomeNotifier notifier,
        DrainRates rates, BookingDbContext db, UserContacts contacts, IOptions<HoldOptions> options, TimeProvider time)
    {
        var ct = http.RequestAborted;
        var userId = http.User.UserId();
        var layout = await layouts.FindAsync(show_id, ct);
        if (layout is null) return Problems.NotFound($"Show '{show_id}' does not exist.");

        var body = await JsonBody.ReadObjectAsync(http.Request);
        if (body.Problem is not null) return body.Problem;
        var root = body.Root;
        if (root.TryGetProperty("user_id", out var bodyUser))
        {
            if (bodyUser.ValueKind != JsonValueKind.String) return Problems.BadRequest("user_id must be a string.");
            if (bodyUser.GetString() != userId) return Problems.Forbidden("user_id does not match the authenticated user.");
        }
        if (!root.TryGetProperty("seat_ids", out var seatsElement) || seatsElement.ValueKind != JsonValueKind.Array)
        {
            return Problems.BadRequest("seat_ids is required and must be an array of seat id strings.");
        }
        var seatIds = new List<string>();
        foreach (var element in seatsElement.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(element.GetString()))
            {
                return Problems.BadRequest("seat_ids must contain only non-empty strings.");
            }
            seatIds.Add(element.GetString()!);
        }
        var max = options.Value.MaxSeatsPerHold;
        if (seatIds.Count == 0) return Problems.BadRequest("seat_ids must name at least one seat.");
        if (seatIds.Count > max) return Problems.BadRequest($"At most {max} seats can be held at once.", new Dictionary<string, object?> { ["max_seats"] = max });
        var duplicates = seatIds.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0) return Problems.BadRequest($"Duplicate seat ids: {string.Join(", ", duplicates)}.", new Dictionary<string, object?> { ["duplicate_seat_ids"] = duplicates });
        var unknown = seatIds.Where(s => !layout.SeatIds.Contains(s)).ToList();
        if (unknown.Count > 0) return Problems.BadRequest($"Unknown seat ids for this show: {string.Join(", ", unknown)}.", new Dictionary<string, object?> { ["unknown_seat_ids"] = unknown });
        if (layout.StartsAt <= time.GetUtcNow().UtcDateTime)
        {
            return Problems.Conflict("Show not on sale", $"Show '{show_id}' has already started; seats can no longer be held.");
        }

        string? idempotencyKey = http.Request.Headers["Idempotency-Key"];
        if (idempotencyKey is not null && (idempotencyKey.Length == 0 || idempotencyKey.Length > MaxIdempotencyKeyLength))
        {
            return Problems.BadRequest($"Idempotency-Key must be 1-{MaxIdempotencyKeyLength} characters.");
        }
        var wait = PreferHeader.WaitOf(http.Request.Headers["Prefer"], MaxWaitSeconds);

        // Before the request is queued: the hold's e-mails (expiring, expired) need the address.
        await contacts.RememberAsync(db, http.User, userId, ct);
        var requestId = HoldAdmission.NewRequestId();
        var watchKey = OutcomeNotifier.ForRequest(requestId);
        var watched = wait > TimeSpan.Zero ? notifier.Watch(watchKey) : null; // before sending, so a fast decision is not missed
        var result = await admission.AdmitAsync(requestId, show_id, userId, seatIds, idempotencyKey, ct);
        var request = result.Request!;
        if (result.Outcome != AdmissionOutcome.Admitted && watched is not null) notifier.Forget(watchKey);
        switch (result.Outcome)
        {
            case AdmissionOutcome.IdempotencyKeyReused:
                return Problems.Of(StatusCodes.Status422UnprocessableEntity, "Idempotency key reused",
                    "This Idempotency-Key was used for a different hold request.", new Dictionary<string, object?> { ["request_id"] = request.Id });
            case AdmissionOutcome.BrokerUnavailable:
                http.Response.Headers.RetryAfter = "2";
                return Problems.Of(StatusCodes.Status503ServiceUnavailable, "Queue unavailable", "The hold queue cannot take requests right now; nothing was held. Try again shortly.");
            case AdmissionOutcome.Replayed:
                return Answer(http, await views.ViewAsync(db, request, ct));
        }

        if (watched is not null)
        {
            var outcome = await notifier.WaitAsync(watchKey, watched, wait, ct);
            if (outcome is HoldPlaced or HoldRejected)
            {
                http.Response.Headers["Preference-Applied"] = $"wait={(int)wait.TotalSeconds}";
                db.ChangeTracker.Clear();
                var decided = await db.HoldRequests.AsNoTracking().FirstAsync(r => r.Id == request.Id, ct);
                return Answer(http, await views.ViewAsync(db, decided, ct), preferWait: true);
            }
        }

        var estimate = rates.EstimateWaitSeconds(show_id, result.Position + 1);
        http.Response.Headers.Location = $"/v1/hold-requests/{request.Id}";
        return TypedResults.Json(
            new HoldQueuedResponse(request.Id, show_id, RequestStatus.Queued, result.Position, estimate, $"/v1/hold-requests/{request.Id}", $"/v1/hold-requests/{request.Id}/events"),
            statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>201/409 when the caller preferred to wait and the decision came; 202 with the request otherwise.</summary>
    static IResult Answer(HttpContext http, HoldRequestView view, bool preferWait = false)
    {
        http.Response.Headers.Location = view.StatusUrl;
        if (preferWait && view.Status == RequestStatus.Held)
        {
            http.Response.Headers.Location = $"/v1/holds/{view.Hold!.HoldId}";
            // The design's hold body: a fresh hold reads "HELD".
            return TypedResults.Json(view.Hold with { Status = RequestStatus.Held }, statusCode: StatusCodes.Status201Created);
        }
        if (preferWait && view.Status == RequestStatus.Rejected)
        {
            return RejectionProblem(view);
        }
        return TypedResults.Json(view, statusCode: StatusCodes.Status202Accepted);
    }

    static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult RejectionProblem(HoldRequestView view)
    {
        var unavailable = view.UnavailableSeatIds ?? [];
        var detail = unavailable.Count > 0
            ? $"Seat(s) {string.Join(", ", unavailable)} no longer available; nothing was held."
            : $"The hold request was rejected ({view.Reason}); nothing was held.";
        return Problems.Conflict("Seats unavailable", detail, new Dictionary<string, object?>
        {
            ["request_id"] = view.RequestId,
            ["reason"] = view.Reason,
            ["unavailable_seat_ids"] = unavailable,
        });
    }

    static async Task<IResult> GetRequest(string request_id, HttpContext http, BookingDbContext db, HoldRequestViews views)
    {
        var view = await views.FindAsync(db, request_id, http.User.UserId(), http.RequestAborted);
        return view is null ? Problems.NotFound($"Hold request '{request_id}' does not exist.") : TypedResults.Ok(view);
    }

    static async Task<IResult> StreamRequest(
        string request_id, HttpContext http, IDbContextFactory<BookingDbContext> contexts, HoldRequestViews views, OutcomeNotifier notifier,
        WaitingRequests waiting)
    {
        var userId = http.User.UserId();
        var ct = http.RequestAborted;
        // Watching before the first read: a decision between the read and the stream's start is not missed.
        var key = OutcomeNotifier.ForRequest(request_id);
        var decided = notifier.Watch(key);
        HoldRequest? request;
        HoldRequestView first;
        try
        {
            if (waiting.Find(request_id, userId) is { } admittedHere && await views.WaitingViewAsync(admittedHere.ToRequest(), ct) is { } waitingView)
            {
                // Admitted by this gateway and not decided yet (the usual case right after a 202): no database read.
                request = admittedHere.ToRequest();
                first = waitingView;
            }
            else
            {
                await using var db = await contexts.CreateDbContextAsync(ct);
                request = await db.HoldRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == request_id, ct);
                if (request is null || request.UserId != userId)
                {
                    notifier.Forget(key, decided);
                    return Problems.NotFound($"Hold request '{request_id}' does not exist.");
                }
                first = await views.ViewAsync(db, request, ct);
            }
        }
        catch
        {
            notifier.Forget(key, decided);
            throw;
        }
        http.Response.Headers.CacheControl = "no-cache";
        return TypedResults.ServerSentEvents(Changes(request, first, decided, contexts, views, notifier, ct));
    }

    /// <summary>
    /// A request's status as it changes. While it waits only the position moves (from the shared snapshot, no read of
    /// the request); the decision usually arrives as the event itself and is shown from it, so an on-sale's thousands of
    /// open streams do not each read the database when their answer comes.
    /// </summary>
    static async IAsyncEnumerable<SseItem<HoldRequestView>> Changes(
        HoldRequest request, HoldRequestView first, Task<object> decided, IDbContextFactory<BookingDbContext> contexts, HoldRequestViews views,
        OutcomeNotifier notifier, [EnumeratorCancellation] CancellationToken ct)
    {
        var key = OutcomeNotifier.ForRequest(request.Id);
        var view = first;
        HoldRequestView? last = null;
        var lastSent = 0L;
        var quietSeconds = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                // Positions only ever move forward for a waiting request.
                if (last is { Position: { } before } && view.Position is { } now && now > before) view = view with { Position = before };
                // The status at once; a new position at most every PositionEvery: in an on-sale every waiting stream's
                // position moves every second, and writing all of them costs the gateway more than deciding does.
                if (last is null || view.Status != last.Status
                    || (view.Position != last.Position && Stopwatch.GetElapsedTime(lastSent) >= PositionEvery))
                {
                    yield return new SseItem<HoldRequestView>(view, "status");
                    last = view;
                    lastSent = Stopwatch.GetTimestamp();
                }
                if (view.IsFinal) yield break;

                var outcome = await OutcomeNotifier.WithinAsync(decided, TimeSpan.FromSeconds(1), ct);
                if (outcome is null) quietSeconds++;
                var fromEvent = outcome switch
                {
                    HoldPlaced placed => views.Placed(last, placed),
                    HoldRejected rejected => HoldRequestViews.Rejected(last, rejected),
                    _ => null,
                };
                if (fromEvent is not null)
                {
                    view = fromEvent;
                    continue;
                }
                if (decided.IsCompleted) decided = notifier.Watch(key);

                var (position, waiting) = await views.LookupAsync(request.ShowId, request.Seq, ct);
                if (waiting && quietSeconds < 10)
                {
                    view = views.WithPosition(last, position);
                    continue;
                }
                // Decided as far as the snapshot knows, but no event came (it went elsewhere, or was lost): read it. Also
                // every 10 s of quiet, in case.
                quietSeconds = 0;
                await using var db = await contexts.CreateDbContextAsync(ct);
                var current = await db.HoldRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == request.Id, ct);
                if (current is null) yield break;
                view = await views.ViewAsync(db, current, ct);
            }
        }
        finally
        {
            // The stream ended (final answer, client gone, or error): its watch must not outlive it.
            notifier.Forget(key, decided);
        }
    }
}

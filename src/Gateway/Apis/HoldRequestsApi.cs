using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Holds;
using BookMyShow.Core.Persistence;
using BookMyShow.Gateway.Admission;
using BookMyShow.Gateway.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BookMyShow.Gateway.Apis;

/// <summary>Queued hold admission and the request's outcome, by poll or by Server-Sent Events.</summary>
public static class HoldRequestsApi
{
    const int MaxWaitSeconds = 30;
    /// <summary>How often an event stream tells a waiting client its new position.</summary>
    static readonly TimeSpan PositionEvery = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapHoldRequestsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1").WithTags("Holds").RequireAuthorization();
        api.MapPost("/shows/{show_id:id}/hold", PlaceHold)
            .WithSummary("Ask to hold seats. Answers 202 with a queue position; with 'Prefer: wait=N' may answer 201 or 409 directly.");
        api.MapGet("/hold-requests/{request_id:id}", GetRequest)
            .WithSummary("The request's status: QUEUED (with position), HELD (with the hold) or REJECTED.");
        api.MapGet("/hold-requests/{request_id:id}/events", StreamRequest)
            .WithSummary("Server-Sent Events: a 'status' event when the status changes and a new position at most every 5 s; the stream ends after the final one.")
            .Produces<HoldRequestStatusResponse>(contentType: "text/event-stream");
        return app;
    }

    /// <summary>What admitting a hold request needs, besides the request itself.</summary>
    public sealed record AdmissionServices(
        ShowLayouts Layouts, HoldAdmission Admission, HoldRequestViews Views, OutcomeNotifier Notifier, DrainRates Rates, BookingDbContext Db,
        UserContacts Contacts, IOptions<HoldOptions> Options, TimeProvider Time);

    // OpenAPI shows one body per status: the 202 of a new request (HoldQueuedResponse, last of the two); a retry's 202
    // carries the request as GET /v1/hold-requests/{id} shows it, which has the same fields and more.
    [ProblemResponses(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
        StatusCodes.Status422UnprocessableEntity, StatusCodes.Status503ServiceUnavailable)]
    static async Task<Results<Created<HoldResponse>, Accepted<HoldRequestStatusResponse>, Accepted<HoldQueuedResponse>, ProblemHttpResult>> PlaceHold(
        string show_id, [FromBody] PlaceHoldRequest body,
        [FromHeader(Name = "Prefer")] string[]? prefer,
        [AsParameters] AdmissionServices services, ClaimsPrincipal user, HttpRequest httpRequest, HttpResponse response, CancellationToken ct)
    {
        var userId = user.UserId();
        var layout = await services.Layouts.FindAsync(show_id, ct);
        if (layout is null) return Problems.NotFound($"Show '{show_id}' does not exist.");
        var (ask, invalid) = body.Validate(userId, layout, services.Options.Value.MaxSeatsPerHold, services.Time.GetUtcNow().UtcDateTime);
        if (invalid is not null) return invalid;
        // Read, not bound: [FromHeader] binds no StringValues, and a string[] loses an empty value, which must be refused.
        var (key, badKey) = IdempotencyKeys.ForHold(httpRequest.Headers[IdempotencyKeys.Header]);
        if (badKey is not null) return badKey;
        var wait = PreferHeader.WaitOf(prefer ?? [], MaxWaitSeconds);

        // Before the request is queued: the hold's e-mails (expiring, expired) need the address.
        await services.Contacts.RememberAsync(services.Db, user, userId, ct);
        var requestId = HoldAdmission.NewRequestId();
        var watchKey = OutcomeNotifier.ForRequest(requestId);
        var watched = wait > TimeSpan.Zero ? services.Notifier.Watch(watchKey) : null; // before sending, so a fast decision is not missed
        var result = await services.Admission.AdmitAsync(requestId, show_id, userId, ask, key, ct);
        var request = result.Request!;
        if (result.Outcome != AdmissionOutcome.Admitted && watched is not null) services.Notifier.Forget(watchKey);
        switch (result.Outcome)
        {
            case AdmissionOutcome.IdempotencyKeyReused:
                return Problems.Of(StatusCodes.Status422UnprocessableEntity, "Idempotency key reused",
                    "This Idempotency-Key was used for a different hold request.", new Dictionary<string, object?> { ["request_id"] = request.Id });
            case AdmissionOutcome.BrokerUnavailable:
                response.Headers.RetryAfter = "2";
                return Problems.Unavailable("Queue unavailable", "The hold queue cannot take requests right now; nothing was held. Try again shortly.");
            case AdmissionOutcome.Replayed:
                return Answer(await services.Views.ViewAsync(services.Db, request, ct));
        }

        if (watched is not null)
        {
            var outcome = await services.Notifier.WaitAsync(watchKey, watched, wait, ct);
            if (outcome is HoldPlaced or HoldRejected)
            {
                response.Headers["Preference-Applied"] = $"wait={(int)wait.TotalSeconds}";
                services.Db.ChangeTracker.Clear();
                var decided = await services.Db.HoldRequests.AsNoTracking().FirstAsync(r => r.Id == request.Id, ct);
                return Answer(await services.Views.ViewAsync(services.Db, decided, ct), preferWait: true);
            }
        }

        var estimate = services.Rates.EstimateWaitSeconds(show_id, result.Position + 1);
        var statusUrl = $"/v1/hold-requests/{request.Id}";
        return TypedResults.Accepted(statusUrl,
            new HoldQueuedResponse(request.Id, show_id, RequestStatus.Queued, result.Position, estimate, statusUrl, $"/v1/hold-requests/{request.Id}/events"));
    }

    /// <summary>201/409 when the caller preferred to wait and the decision came; 202 with the request otherwise.</summary>
    static Results<Created<HoldResponse>, Accepted<HoldRequestStatusResponse>, Accepted<HoldQueuedResponse>, ProblemHttpResult> Answer(
        HoldRequestStatusResponse view, bool preferWait = false)
    {
        if (preferWait && view.Status == RequestStatus.Held)
        {
            // The design's hold body: a fresh hold reads "HELD".
            return TypedResults.Created($"/v1/holds/{view.Hold!.HoldId}", view.Hold with { Status = RequestStatus.Held });
        }
        if (preferWait && view.Status == RequestStatus.Rejected)
        {
            return RejectionProblem(view);
        }
        return TypedResults.Accepted(view.StatusUrl, view);
    }

    static ProblemHttpResult RejectionProblem(HoldRequestStatusResponse view)
    {
        var unavailable = view.UnavailableSeatIds ?? [];
        var (title, detail) = view.Reason switch
        {
            RejectionReasons.SeatLimitReached =>
                ("Seat limit reached", "These seats would take you over the most seats one user may hold or book for this show; nothing was held."),
            RejectionReasons.NoAdjacentSeats =>
                ("No adjacent seats", $"Enough seats are free as asked, but no {view.BestAvailable?.Count} of them side by side in one row without leaving a single seat alone; asking for fewer, or choosing seats on the map, may work. Nothing was held."),
            RejectionReasons.NotEnoughSeats =>
                ("Not enough seats", $"Fewer than {view.BestAvailable?.Count} seats are free as asked (section and price); nothing was held."),
            _ => ("Seats unavailable", unavailable.Count > 0
                ? $"Seat(s) {string.Join(", ", unavailable)} no longer available; nothing was held."
                : $"The hold request was rejected ({view.Reason}); nothing was held."),
        };
        return Problems.Conflict(title, detail, new Dictionary<string, object?>
        {
            ["request_id"] = view.RequestId,
            ["reason"] = view.Reason,
            ["unavailable_seat_ids"] = unavailable,
        });
    }

    [ProblemResponses(StatusCodes.Status404NotFound)]
    static async Task<Results<Ok<HoldRequestStatusResponse>, ProblemHttpResult>> GetRequest(
        string request_id, ClaimsPrincipal user, BookingDbContext db, HoldRequestViews views, CancellationToken ct)
    {
        var view = await views.FindAsync(db, request_id, user.UserId(), ct);
        return view is null ? Problems.NotFound($"Hold request '{request_id}' does not exist.") : TypedResults.Ok(view);
    }

    [ProblemResponses(StatusCodes.Status404NotFound)]
    static async Task<Results<ServerSentEventsResult<HoldRequestStatusResponse>, ProblemHttpResult>> StreamRequest(
        string request_id, HttpContext http, IDbContextFactory<BookingDbContext> contexts, HoldRequestViews views, OutcomeNotifier notifier,
        WaitingRequests waiting)
    {
        var userId = http.User.UserId();
        var ct = http.RequestAborted;
        // Watching before the first read: a decision between the read and the stream's start is not missed.
        var key = OutcomeNotifier.ForRequest(request_id);
        var decided = notifier.Watch(key);
        HoldRequest? request;
        HoldRequestStatusResponse first;
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
    static async IAsyncEnumerable<SseItem<HoldRequestStatusResponse>> Changes(
        HoldRequest request, HoldRequestStatusResponse first, Task<object> decided, IDbContextFactory<BookingDbContext> contexts, HoldRequestViews views,
        OutcomeNotifier notifier, [EnumeratorCancellation] CancellationToken ct)
    {
        var key = OutcomeNotifier.ForRequest(request.Id);
        var view = first;
        HoldRequestStatusResponse? last = null;
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
                    yield return new SseItem<HoldRequestStatusResponse>(view, "status");
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

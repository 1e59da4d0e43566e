using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using BookMyShow.Gateway.Admission;
using BookMyShow.Gateway.Auth;
using BookMyShow.Gateway.Notifications;
using BookMyShow.Gateway.Extensions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BookMyShow.Gateway.Apis;

public static class UserEventsApi
{
    public static IEndpointRouteBuilder MapUserEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/users/me/events", Stream)
            .WithTags("Notifications")
            .RequireAuthorization()
            .WithSummary("Server-Sent Events: the caller's booking events (held, confirmed, released, expired, refunded, hold expiring) and the decisions on their hold requests (hold_request.held, hold_request.rejected) as they happen, on any gateway.")
            .Produces<UserEventResponse>(contentType: "text/event-stream");
        return app;
    }

    static ServerSentEventsResult<object> Stream(HttpContext http, UserEventHub hub, IOptions<GatewayOptions> options)
    {
        // Subscribed before the response starts, so nothing published after the "ready" event is missed.
        var subscription = hub.Subscribe(http.User.UserId());
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        return TypedResults.ServerSentEvents(Events(subscription, options.Value.EventsHeartbeat, http.RequestAborted));
    }

    /// <summary>
    /// The user's events as they come, and a heartbeat after <paramref name="heartbeat"/> of quiet (15 s by default).
    /// The quiet is timed with a delay raced against the channel (<see cref="TaskRace"/>) rather than by cancelling the
    /// read: a cancelled read throws, and an on-sale's ten thousand open streams would throw ten thousand exceptions
    /// every 15 s.
    /// </summary>
    static async IAsyncEnumerable<SseItem<object>> Events(UserEventHub.Subscription subscription, TimeSpan heartbeat, [EnumeratorCancellation] CancellationToken ct)
    {
        using var _ = subscription;
        yield return new SseItem<object>(new { status = "subscribed" }, "ready");
        var events = subscription.Events;
        Task<bool>? ready = null; // one outstanding wait at a time (single-reader channel), kept across heartbeats
        while (!ct.IsCancellationRequested)
        {
            ready ??= events.WaitToReadAsync(ct).AsTask();
            var came = await TaskRace.CompletesWithinAsync(ready, heartbeat, ct);
            if (ct.IsCancellationRequested) yield break;
            if (!came)
            {
                // Quiet for a while: a heartbeat keeps proxies from closing the connection.
                yield return new SseItem<object>(new { }, "heartbeat");
                continue;
            }
            if (!ready.IsCompletedSuccessfully || !ready.Result) yield break; // the subscription ended
            ready = null;
            while (events.TryRead(out var next))
            {
                yield return new SseItem<object>(next, next.Type) { EventId = next.EventId.ToString("D") };
            }
        }
    }
}

using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using BookMyShow.Gateway.Auth;
using BookMyShow.Gateway.Notifications;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BookMyShow.Gateway.Apis;

public static class UserEventsApi
{
    static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapUserEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/users/me/events", Stream)
            .WithTags("Notifications")
            .RequireAuthorization()
            .WithSummary("Server-Sent Events: the caller's booking events (held, confirmed, released, expired, refunded, hold expiring) and the decisions on their hold requests (hold_request.held, hold_request.rejected) as they happen, on any gateway.")
            .Produces<UserEventView>(contentType: "text/event-stream")
            .ProducesProblem(401);
        return app;
    }

    static ServerSentEventsResult<object> Stream(HttpContext http, UserEventHub hub)
    {
        // Subscribed before the response starts, so nothing published after the "ready" event is missed.
        var subscription = hub.Subscribe(http.User.UserId());
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        return TypedResults.ServerSentEvents(Events(subscription, http.RequestAborted));
    }

    static async IAsyncEnumerable<SseItem<object>> Events(UserEventHub.Subscription subscription, [EnumeratorCancellation] CancellationToken ct)
    {
        using var _ = subscription;
        yield return new SseItem<object>(new { status = "subscribed" }, "ready");
        while (!ct.IsCancellationRequested)
        {
            UserEventView? next = null;
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                wait.CancelAfter(Heartbeat);
                try
                {
                    next = await subscription.Events.ReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    // Quiet for a while: a heartbeat keeps proxies from closing the connection.
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
            }
            yield return next is null
                ? new SseItem<object>(new { }, "heartbeat")
                : new SseItem<object>(next, next.Type) { EventId = next.EventId.ToString("D") };
        }
    }
}

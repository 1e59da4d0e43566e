using System.Security.Claims;
using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Messaging;
using BookMyShow.Core.Persistence;
using BookMyShow.Gateway.Admission;
using BookMyShow.Gateway.Auth;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BookMyShow.Gateway.Apis;

/// <summary>A user's holds: read one, release one (through the show's partition).</summary>
public static class HoldsApi
{
    static readonly TimeSpan ReleaseWait = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapHoldsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/holds").WithTags("Holds").RequireAuthorization();
        api.MapGet("/{hold_id:id}", GetHold).WithSummary("One of your holds, with status ACTIVE, RELEASED, EXPIRED or CONFIRMED.");
        api.MapPost("/{hold_id:id}/release", Release).WithSummary("Give a hold back; its seats become available at once.");
        return app;
    }

    /// <summary>What releasing a hold needs, besides the hold's id.</summary>
    public sealed record ReleaseServices(BookingDbContext Db, PartitionRouter Router, ISendEndpointProvider Sender, OutcomeNotifier Notifier, TimeProvider Time);

    [ProblemResponses(StatusCodes.Status404NotFound)]
    static async Task<Results<Ok<HoldResponse>, ProblemHttpResult>> GetHold(string hold_id, ClaimsPrincipal user, BookingDbContext db, TimeProvider time, CancellationToken ct)
    {
        var hold = await db.Holds.AsNoTracking().FirstOrDefaultAsync(h => h.Id == hold_id, ct);
        if (hold is null || hold.UserId != user.UserId()) return Problems.NotFound($"Hold '{hold_id}' does not exist.");
        var saga = await db.BookingStates.AsNoTracking().FirstOrDefaultAsync(b => b.HoldId == hold_id, ct);
        return TypedResults.Ok(HoldRequestViews.ToResponse(hold, time.GetUtcNow().UtcDateTime) with
        {
            PaymentState = PaymentStateOf(saga),
            BookingId = hold.BookingId,
        });
    }

    [ProblemResponses(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status503ServiceUnavailable)]
    static async Task<Results<Ok<ReleaseResponse>, Accepted<ReleaseResponse>, ProblemHttpResult>> Release(
        string hold_id, ClaimsPrincipal user, HttpResponse response, [AsParameters] ReleaseServices services, CancellationToken ct)
    {
        var (db, router, sender, notifier, time) = services;
        var userId = user.UserId();
        var hold = await db.Holds.AsNoTracking().FirstOrDefaultAsync(h => h.Id == hold_id, ct);
        if (hold is null || hold.UserId != userId) return Problems.NotFound($"Hold '{hold_id}' does not exist.");
        var seats = SeatList.Split(hold.SeatIds);
        var view = HoldRequestViews.ToResponse(hold, time.GetUtcNow().UtcDateTime);
        if (view.Status == HoldStatus.Released) return TypedResults.Ok(new ReleaseResponse(hold.Id, HoldStatus.Released, seats));
        if (view.Status != HoldStatus.Active) return NotActive(hold.Id, view.Status);

        var commandId = NewId.NextGuid().ToString("N");
        var key = OutcomeNotifier.ForRelease(commandId);
        var watched = notifier.Watch(key);
        try
        {
            await router.SendAsync(sender, hold.ShowId, new ReleaseHold { CommandId = commandId, HoldId = hold.Id, ShowId = hold.ShowId, UserId = userId }, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            notifier.Forget(key);
            response.Headers.RetryAfter = "2";
            return Problems.Unavailable("Queue unavailable", "The release could not be queued; the hold is unchanged. Try again shortly.");
        }

        var outcome = await notifier.WaitAsync(key, watched, ReleaseWait, ct);
        return outcome switch
        {
            HoldReleased released => TypedResults.Ok(new ReleaseResponse(hold.Id, HoldStatus.Released, released.SeatIds)),
            HoldReleaseRefused refused => NotActive(hold.Id, refused.HoldStatus),
            // Queued but not applied yet: it will be; the hold's status tells when.
            _ => TypedResults.Accepted((string?)null, new ReleaseResponse(hold.Id, "RELEASE_QUEUED", seats)),
        };
    }

    static string PaymentStateOf(Core.Bookings.BookingState? saga) => saga?.CurrentState switch
    {
        null => "NONE",
        "Paying" => "PAYING",
        "Confirming" or "Confirmed" => "PAID",
        "Refunding" => "REFUNDING",
        "Refunded" => "REFUNDED",
        _ when saga.LastPaymentError is not null => "DECLINED",
        _ => "NONE",
    };

    static ProblemHttpResult NotActive(string holdId, string status) =>
        Problems.Conflict("Hold not active", $"Hold '{holdId}' is {status} and can no longer be released.", new Dictionary<string, object?> { ["hold_status"] = status });
}

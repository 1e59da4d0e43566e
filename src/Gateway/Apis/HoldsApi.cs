using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Messaging;
using BookMyShow.Core.Persistence;
using BookMyShow.Gateway.Admission;
using BookMyShow.Gateway.Auth;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace BookMyShow.Gateway.Apis;

public sealed record ReleaseResponse(string HoldId, string Status, IReadOnlyList<string> SeatsReleased);

/// <summary>A user's holds: read one, release one (through the show's partition).</summary>
public static class HoldsApi
{
    static readonly TimeSpan ReleaseWait = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapHoldsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/holds").WithTags("Holds").RequireAuthorization();
        api.MapGet("/{hold_id}", GetHold).WithSummary("One of your holds, with status ACTIVE, RELEASED, EXPIRED or CONFIRMED.")
            .Produces<HoldDto>().ProducesProblem(404);
        api.MapPost("/{hold_id}/release", Release).WithSummary("Give a hold back; its seats become available at once.")
            .Produces<ReleaseResponse>().Produces<ReleaseResponse>(StatusCodes.Status202Accepted).ProducesProblem(404).ProducesProblem(409).ProducesProblem(503);
        return app;
    }

    static async Task<IResult> GetHold(string hold_id, HttpContext http, BookingDbContext db, TimeProvider time)
    {
        var hold = await db.Holds.AsNoTracking().FirstOrDefaultAsync(h => h.Id == hold_id, http.RequestAborted);
        if (hold is null || hold.UserId != http.User.UserId()) return Problems.NotFound($"Hold '{hold_id}' does not exist.");
        var saga = await db.BookingStates.AsNoTracking().FirstOrDefaultAsync(b => b.HoldId == hold_id, http.RequestAborted);
        return TypedResults.Ok(HoldRequestViews.ToDto(hold, time.GetUtcNow().UtcDateTime) with
        {
            PaymentState = PaymentStateOf(saga),
            BookingId = hold.BookingId,
        });
    }

    static async Task<IResult> Release(
        string hold_id, HttpContext http, BookingDbContext db, PartitionRouter router, ISendEndpointProvider sender, OutcomeNotifier notifier, TimeProvider time)
    {
        var ct = http.RequestAborted;
        var userId = http.User.UserId();
        var hold = await db.Holds.AsNoTracking().FirstOrDefaultAsync(h => h.Id == hold_id, ct);
        if (hold is null || hold.UserId != userId) return Problems.NotFound($"Hold '{hold_id}' does not exist.");
        var seats = SeatList.Split(hold.SeatIds);
        var view = HoldRequestViews.ToDto(hold, time.GetUtcNow().UtcDateTime);
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
            http.Response.Headers.RetryAfter = "2";
            return Problems.Of(StatusCodes.Status503ServiceUnavailable, "Queue unavailable", "The release could not be queued; the hold is unchanged. Try again shortly.");
        }

        var outcome = await notifier.WaitAsync(key, watched, ReleaseWait, ct);
        return outcome switch
        {
            HoldReleased released => TypedResults.Ok(new ReleaseResponse(hold.Id, HoldStatus.Released, released.SeatIds)),
            HoldReleaseRefused refused => NotActive(hold.Id, refused.HoldStatus),
            // Queued but not applied yet: it will be; the hold's status tells when.
            _ => TypedResults.Json(new ReleaseResponse(hold.Id, "RELEASE_QUEUED", seats), statusCode: StatusCodes.Status202Accepted),
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

    static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NotActive(string holdId, string status) =>
        Problems.Conflict("Hold not active", $"Hold '{holdId}' is {status} and can no longer be released.", new Dictionary<string, object?> { ["hold_status"] = status });
}

using BookMyShow.Core.Persistence;
using BookMyShow.Gateway.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BookMyShow.Gateway.Apis;

/// <summary>Operators' endpoints, behind the <see cref="AuthPolicies.Operator"/> policy.</summary>
public static class OpsApi
{
    public static IEndpointRouteBuilder MapOpsApi(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/v1/ops").WithTags("Operations").RequireAuthorization(AuthPolicies.Operator);
        ops.MapGet("/shows/{show_id:id}/stats", GetShowStats)
            .WithSummary("Per-show totals (held, confirmed, released, expired, refunded seats; revenue) kept from booking events. Operators only.");
        return app;
    }

    [ProblemResponses(StatusCodes.Status404NotFound)]
    static async Task<Results<Ok<ShowStatsResponse>, ProblemHttpResult>> GetShowStats(string show_id, BookingDbContext db, CancellationToken ct)
    {
        var show = await db.Shows.AsNoTracking().FirstOrDefaultAsync(s => s.Id == show_id, ct);
        if (show is null) return Problems.NotFound($"Show '{show_id}' does not exist.");

        var stats = await db.ShowStats.AsNoTracking().FirstOrDefaultAsync(s => s.ShowId == show_id, ct);
        var seats = await db.ShowSeats.AsNoTracking().Where(s => s.ShowId == show_id)
            .GroupBy(s => s.Status).Select(g => new { Status = g.Key, Count = g.Count() }).ToListAsync(ct);
        int Count(string status) => seats.Where(s => s.Status == status).Sum(s => s.Count);

        return TypedResults.Ok(new ShowStatsResponse(
            show_id,
            new SeatCountsResponse(stats?.HeldSeats ?? 0, stats?.ConfirmedSeats ?? 0, stats?.ReleasedSeats ?? 0, stats?.ExpiredSeats ?? 0,
                stats?.RefundedSeats ?? 0, stats?.Holds ?? 0, stats?.Bookings ?? 0, stats?.Refunds ?? 0),
            new RevenueResponse(stats?.Revenue ?? 0, stats?.RefundedAmount ?? 0, stats?.Currency ?? show.Currency),
            new SeatsNowResponse(seats.Sum(s => s.Count), Count(SeatStatus.Available), Count(SeatStatus.Held), Count(SeatStatus.Confirmed)),
            stats is null ? null : new DateTimeOffset(stats.UpdatedAt, TimeSpan.Zero)));
    }
}

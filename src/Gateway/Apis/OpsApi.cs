using BookMyShow.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BookMyShow.Gateway.Apis;

public sealed record SeatCountsView(int HeldSeats, int ConfirmedSeats, int ReleasedSeats, int ExpiredSeats, int RefundedSeats, int Holds, int Bookings, int Refunds);

public sealed record RevenueView(decimal Confirmed, decimal Refunded, string? Currency);

public sealed record SeatsNowView(int Total, int Available, int Held, int Confirmed);

/// <summary>Per-show figures for operators: running totals from the booking events, and the seats as they are now.</summary>
public sealed record ShowStatsView(string ShowId, SeatCountsView Totals, RevenueView Revenue, SeatsNowView SeatsNow, DateTimeOffset? UpdatedAt);

public static class OpsApi
{
    public const string OperatorRole = "operator";

    public static IEndpointRouteBuilder MapOpsApi(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/v1/ops").WithTags("Operations").RequireAuthorization();
        ops.MapGet("/shows/{show_id}/stats", GetShowStats)
            .WithSummary("Per-show totals (held, confirmed, released, expired, refunded seats; revenue) kept from booking events. Operators only.")
            .Produces<ShowStatsView>()
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        return app;
    }

    static async Task<IResult> GetShowStats(string show_id, HttpContext http, BookingDbContext db)
    {
        if (!http.User.IsInRole(OperatorRole)) return Problems.Forbidden("Show statistics are for operators (role 'operator').");
        var ct = http.RequestAborted;
        var show = await db.Shows.AsNoTracking().FirstOrDefaultAsync(s => s.Id == show_id, ct);
        if (show is null) return Problems.NotFound($"Show '{show_id}' does not exist.");

        var stats = await db.ShowStats.AsNoTracking().FirstOrDefaultAsync(s => s.ShowId == show_id, ct);
        var seats = await db.ShowSeats.AsNoTracking().Where(s => s.ShowId == show_id)
            .GroupBy(s => s.Status).Select(g => new { Status = g.Key, Count = g.Count() }).ToListAsync(ct);
        int Count(string status) => seats.Where(s => s.Status == status).Sum(s => s.Count);

        return TypedResults.Ok(new ShowStatsView(
            show_id,
            new SeatCountsView(stats?.HeldSeats ?? 0, stats?.ConfirmedSeats ?? 0, stats?.ReleasedSeats ?? 0, stats?.ExpiredSeats ?? 0,
                stats?.RefundedSeats ?? 0, stats?.Holds ?? 0, stats?.Bookings ?? 0, stats?.Refunds ?? 0),
            new RevenueView(stats?.Revenue ?? 0, stats?.RefundedAmount ?? 0, stats?.Currency ?? show.Currency),
            new SeatsNowView(seats.Sum(s => s.Count), Count(SeatStatus.Available), Count(SeatStatus.Held), Count(SeatStatus.Confirmed)),
            stats is null ? null : new DateTimeOffset(stats.UpdatedAt, TimeSpan.Zero)));
    }
}

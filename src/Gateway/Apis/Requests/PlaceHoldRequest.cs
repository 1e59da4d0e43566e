using BookMyShow.Contracts.Holds;
using System.Reflection;
using BookMyShow.Gateway.Admission;
using BookMyShow.Gateway.Apis.Binding;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace BookMyShow.Gateway.Apis;

/// <summary>
/// The body of <c>POST /v1/shows/{show_id}/hold</c>: <c>{"seat_ids":["A1","A2"]}</c>, or
/// <c>{"best_available":{"count":4,"section":"premium","max_price":500}}</c> for the best adjacent seats the partition
/// can find (section and price optional), optionally with the caller's own <c>user_id</c>. Elements are nullable so that
/// <c>[null]</c> binds and is refused by <see cref="Validate"/> in words.
/// </summary>
public sealed record PlaceHoldRequest(IReadOnlyList<string?>? SeatIds, string? UserId, BestAvailableRequest? BestAvailable = null) : IEndpointParameterMetadataProvider
{
    public const string SeatIdsRequired = "seat_ids is required and must be an array of seat id strings.";
    public const string SeatIdsNotStrings = "seat_ids must contain only non-empty strings.";

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(new JsonBodyErrors(WrongTypeDetail));

    /// <summary>The 400 detail for a value of the wrong JSON type at <paramref name="path"/> (a binding failure).</summary>
    public static string WrongTypeDetail(string path) =>
        path.StartsWith("$.seat_ids[", StringComparison.Ordinal) ? SeatIdsNotStrings
        : path.StartsWith("$.seat_ids", StringComparison.Ordinal) ? SeatIdsRequired
        : path.StartsWith("$.user_id", StringComparison.Ordinal) ? "user_id must be a string."
        : path.StartsWith("$.best_available", StringComparison.Ordinal) ? BestAvailableRequest.Shape
        : $"The value at {path} has the wrong JSON type.";

    /// <summary>
    /// The seats asked for, or the problem: a user_id other than the caller's (403); seat ids missing, empty, too many,
    /// repeated or not of this show (400); a show that has started by <paramref name="now"/> (409).
    /// </summary>
    public (SeatAsk Ask, ProblemHttpResult? Problem) Validate(string callerId, ShowLayout layout, int maxSeats, DateTime now)
    {
        if (UserId is not null && UserId != callerId) return Refuse(Problems.Forbidden("user_id does not match the authenticated user."));
        if (BestAvailable is not null)
        {
            if (SeatIds is not null) return Refuse(Problems.BadRequest("Give seat_ids or best_available, not both."));
            var (ask, invalid) = BestAvailable.Validate(layout, maxSeats);
            if (invalid is not null) return Refuse(invalid);
            return layout.StartsAt <= now ? Refuse(Started(layout)) : (new SeatAsk([], ask), null);
        }
        if (SeatIds is null) return Refuse(Problems.BadRequest(SeatIdsRequired));
        if (SeatIds.Any(string.IsNullOrWhiteSpace)) return Refuse(Problems.BadRequest(SeatIdsNotStrings));
        var seatIds = SeatIds.Select(s => s!).ToList();
        if (seatIds.Count == 0) return Refuse(Problems.BadRequest("seat_ids must name at least one seat."));
        if (seatIds.Count > maxSeats)
        {
            return Refuse(Problems.BadRequest($"At most {maxSeats} seats can be held at once.", new Dictionary<string, object?> { ["max_seats"] = maxSeats }));
        }
        var duplicates = seatIds.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            return Refuse(Problems.BadRequest($"Duplicate seat ids: {string.Join(", ", duplicates)}.", new Dictionary<string, object?> { ["duplicate_seat_ids"] = duplicates }));
        }
        var unknown = seatIds.Where(s => !layout.SeatIds.Contains(s)).ToList();
        if (unknown.Count > 0)
        {
            return Refuse(Problems.BadRequest($"Unknown seat ids for this show: {string.Join(", ", unknown)}.", new Dictionary<string, object?> { ["unknown_seat_ids"] = unknown }));
        }
        if (layout.StartsAt <= now) return Refuse(Started(layout));
        return (new SeatAsk(seatIds), null);
    }

    static ProblemHttpResult Started(ShowLayout layout) =>
        Problems.Conflict("Show not on sale", $"Show '{layout.ShowId}' has already started; seats can no longer be held.");

    static (SeatAsk, ProblemHttpResult?) Refuse(ProblemHttpResult problem) => (new SeatAsk([]), problem);
}

/// <summary>
/// <c>best_available</c> of a hold request: how many adjacent seats, and optionally only in one section and up to a
/// price per seat (issue 20).
/// </summary>
public sealed record BestAvailableRequest(int? Count, string? Section, decimal? MaxPrice)
{
    public const string Shape = "best_available must be an object: {\"count\": number of seats, \"section\": optional section name, \"max_price\": optional price per seat}.";

    public (BestAvailableSeats? Ask, ProblemHttpResult? Problem) Validate(ShowLayout layout, int maxSeats)
    {
        if (Count is not { } count || count < 1) return (null, Problems.BadRequest("best_available.count must be a whole number of seats, at least 1."));
        if (count > maxSeats)
        {
            return (null, Problems.BadRequest($"At most {maxSeats} seats can be held at once.", new Dictionary<string, object?> { ["max_seats"] = maxSeats }));
        }
        if (Section is not null && !layout.Sections.Contains(Section))
        {
            return (null, Problems.BadRequest($"Unknown section for this show: {Section}.", new Dictionary<string, object?> { ["sections"] = layout.Sections.Order().ToList() }));
        }
        if (MaxPrice is { } price && price <= 0) return (null, Problems.BadRequest("best_available.max_price must be more than 0."));
        return (new BestAvailableSeats { Count = count, Section = Section, MaxPrice = MaxPrice }, null);
    }
}

using System.Reflection;
using BookMyShow.Gateway.Admission;
using BookMyShow.Gateway.Apis.Binding;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace BookMyShow.Gateway.Apis;

/// <summary>
/// The body of <c>POST /v1/shows/{show_id}/hold</c>: <c>{"seat_ids":["A1","A2"]}</c>, optionally with the caller's
/// own <c>user_id</c>. Elements are nullable so that <c>[null]</c> binds and is refused by <see cref="Validate"/> in words.
/// </summary>
public sealed record PlaceHoldRequest(IReadOnlyList<string?>? SeatIds, string? UserId) : IEndpointParameterMetadataProvider
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
        : $"The value at {path} has the wrong JSON type.";

    /// <summary>
    /// The seats asked for, or the problem: a user_id other than the caller's (403); seat ids missing, empty, too many,
    /// repeated or not of this show (400); a show that has started by <paramref name="now"/> (409).
    /// </summary>
    public (IReadOnlyList<string> SeatIds, ProblemHttpResult? Problem) Validate(string callerId, ShowLayout layout, int maxSeats, DateTime now)
    {
        if (UserId is not null && UserId != callerId) return Refuse(Problems.Forbidden("user_id does not match the authenticated user."));
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
        if (layout.StartsAt <= now)
        {
            return Refuse(Problems.Conflict("Show not on sale", $"Show '{layout.ShowId}' has already started; seats can no longer be held."));
        }
        return (seatIds, null);
    }

    static (IReadOnlyList<string>, ProblemHttpResult?) Refuse(ProblemHttpResult problem) => ([], problem);
}

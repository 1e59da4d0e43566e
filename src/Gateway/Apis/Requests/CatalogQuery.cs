using System.Globalization;
using BookMyShow.Gateway.Apis.Binding;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BookMyShow.Gateway.Apis;

/// <summary>The browse endpoints' query parameters (<c>date</c>, <c>city_id</c>), checked before anything is read.</summary>
public static class CatalogQuery
{
    /// <summary>The day asked for (today when absent), or the 400.</summary>
    public static (DateOnly Day, ProblemHttpResult? Problem) Date(string? value, DateOnly today)
    {
        if (string.IsNullOrEmpty(value)) return (today, null);
        if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return (default, Problems.BadRequest("date must be YYYY-MM-DD."));
        }
        // A day's shows run from its midnight to the next one, and the calendar's last day has no next midnight.
        if (day == DateOnly.MaxValue)
        {
            return (default, Problems.BadRequest($"date must be YYYY-MM-DD, at most {DateOnly.MaxValue.AddDays(-1):yyyy-MM-dd}."));
        }
        return (day, null);
    }

    /// <summary>The 400 for a city_id that cannot name a city (too long, control characters); null when it may.</summary>
    public static ProblemHttpResult? CityId(string? cityId) =>
        string.IsNullOrEmpty(cityId) || Ids.IsWellFormed(cityId) ? null : Problems.BadRequest($"city_id must be at most {Ids.MaxLength} characters, without control characters.");
}

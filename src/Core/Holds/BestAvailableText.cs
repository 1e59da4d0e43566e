using System.Globalization;
using BookMyShow.Contracts.Holds;

namespace BookMyShow.Core.Holds;

/// <summary>
/// A best-available ask as the request's row keeps it (<c>hold_requests.best_available</c>): <c>count|section|max_price</c>,
/// the last two empty when not given. One text for one ask, so a retry with the same Idempotency-Key compares equal.
/// </summary>
public static class BestAvailableText
{
    public static string? Format(BestAvailableSeats? ask) => ask is null
        ? null
        : string.Join('|', ask.Count.ToString(CultureInfo.InvariantCulture), ask.Section ?? "", ask.MaxPrice?.ToString(CultureInfo.InvariantCulture) ?? "");

    public static BestAvailableSeats? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        var parts = text.Split('|');
        return new BestAvailableSeats
        {
            Count = int.Parse(parts[0], CultureInfo.InvariantCulture),
            Section = parts.Length > 1 && parts[1].Length > 0 ? parts[1] : null,
            MaxPrice = parts.Length > 2 && parts[2].Length > 0 ? decimal.Parse(parts[2], CultureInfo.InvariantCulture) : null,
        };
    }
}

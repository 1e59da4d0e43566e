namespace BookMyShow.Gateway.Admission;

/// <summary>Reads the RFC 7240 <c>wait</c> preference.</summary>
public static class PreferHeader
{
    /// <summary>The preferred wait, capped at <paramref name="maxSeconds"/>; zero when absent or malformed.</summary>
    public static TimeSpan WaitOf(IEnumerable<string?> headerValues, int maxSeconds)
    {
        foreach (var value in headerValues)
        {
            if (value is null) continue;
            foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var preference = part.Split(';', 2)[0].Trim();
                if (preference.StartsWith("wait=", StringComparison.OrdinalIgnoreCase)
                    && int.TryParse(preference.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                    && seconds > 0)
                {
                    return TimeSpan.FromSeconds(Math.Min(seconds, maxSeconds));
                }
            }
        }
        return TimeSpan.Zero;
    }
}

namespace BookMyShow.Gateway.Apis.Binding;

/// <summary>
/// What an id from a client may look like before anything looks it up: 1-200 characters, no control characters.
/// Every id the system hands out fits; one that does not names nothing, and PostgreSQL refuses a NUL in text outright
/// (an error, not "not found").
/// </summary>
public static class Ids
{
    public const int MaxLength = 200;

    public static bool IsWellFormed(string? id) => id is { Length: > 0 and <= MaxLength } && !id.Any(char.IsControl);
}

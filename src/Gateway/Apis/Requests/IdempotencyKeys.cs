using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Primitives;

namespace BookMyShow.Gateway.Apis;

/// <summary>The Idempotency-Key header's rules: one value of 1-200 characters; required on confirm, optional on hold.</summary>
public static class IdempotencyKeys
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 200;

    /// <summary>A hold's optional key: null when absent. Bound as StringValues: an empty header is a value, and a wrong one.</summary>
    public static (string? Key, ProblemHttpResult? Problem) ForHold(StringValues values) =>
        values.Count == 0 ? (null, null)
        : values.Count > 1 ? (null, OneKey())
        : values[0] is not { Length: > 0 and <= MaxLength } key ? (null, Problems.BadRequest($"Idempotency-Key must be 1-{MaxLength} characters."))
        : (key, null);

    /// <summary>A confirmation's key: required.</summary>
    public static (string Key, ProblemHttpResult? Problem) ForConfirm(StringValues values) =>
        values.Count == 0 || (values.Count == 1 && string.IsNullOrEmpty(values[0])) ? ("", Problems.BadRequest("The Idempotency-Key header is required."))
        : values.Count > 1 ? ("", OneKey())
        : values[0]!.Length > MaxLength ? ("", Problems.BadRequest($"Idempotency-Key must be at most {MaxLength} characters."))
        : (values[0]!, null);

    // Two keys would be read as one joined by a comma: a key the client never sent.
    static ProblemHttpResult OneKey() => Problems.BadRequest("Send one Idempotency-Key header, not several.");
}

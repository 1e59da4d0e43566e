using Microsoft.AspNetCore.Http.HttpResults;

namespace BookMyShow.Gateway.Apis;

/// <summary>The Idempotency-Key header's rules: one value of 1-200 characters; required on confirm, optional on hold.</summary>
public static class IdempotencyKeys
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 200;

    /// <summary>A hold's optional key: null when absent.</summary>
    public static (string? Key, ProblemHttpResult? Problem) ForHold(string[]? values) =>
        values is null || values.Length == 0 ? (null, null)
        : values.Length > 1 ? (null, OneKey())
        : values[0].Length is 0 or > MaxLength ? (null, Problems.BadRequest($"Idempotency-Key must be 1-{MaxLength} characters."))
        : (values[0], null);

    /// <summary>A confirmation's key: required.</summary>
    public static (string Key, ProblemHttpResult? Problem) ForConfirm(string[]? values) =>
        values is null || values.Length == 0 || (values.Length == 1 && values[0].Length == 0) ? ("", Problems.BadRequest("The Idempotency-Key header is required."))
        : values.Length > 1 ? ("", OneKey())
        : values[0].Length > MaxLength ? ("", Problems.BadRequest($"Idempotency-Key must be at most {MaxLength} characters."))
        : (values[0], null);

    // Two keys would be read as one joined by a comma: a key the client never sent.
    static ProblemHttpResult OneKey() => Problems.BadRequest("Send one Idempotency-Key header, not several.");
}

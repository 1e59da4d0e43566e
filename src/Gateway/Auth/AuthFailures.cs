using Microsoft.IdentityModel.Tokens;

namespace BookMyShow.Gateway.Auth;

/// <summary>
/// Why a bearer token was refused, kept for the request so its 401 problem can say so (the framework's challenge has
/// no body). The reasons name the kind of failure only, never the token's contents.
/// </summary>
public static class AuthFailures
{
    static readonly object Key = new();

    /// <summary>A token that verifies but names nobody: every endpoint acts for the token's subject.</summary>
    public sealed class NoSubjectException() : SecurityTokenValidationException("The token has no subject (sub).");

    public static void Remember(HttpContext http, Exception failure) => http.Items[Key] = failure;

    public static string Describe(HttpContext http) => http.Items.TryGetValue(Key, out var failure) ? failure switch
    {
        NoSubjectException => "The bearer token has no subject (sub); it names no user.",
        SecurityTokenExpiredException => "The bearer token has expired.",
        SecurityTokenNotYetValidException => "The bearer token is not valid yet.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The bearer token's signature does not verify.",
        SecurityTokenInvalidIssuerException or SecurityTokenInvalidAudienceException => "The bearer token was issued by or for someone else.",
        _ => "The bearer token is not valid.",
    } : "This needs a bearer token: send Authorization: Bearer <token>.";
}

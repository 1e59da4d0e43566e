using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace BookMyShow.EndToEnd.Tests;

/// <summary>
/// JWTs made by hand with a gateway's signing key (Auth:SigningKey), so tests can send tokens the development-token
/// endpoint never issues: without a subject, expired, signed with another key, for another audience, unsigned.
/// </summary>
public static class TestTokens
{
    public const string SigningKey = "bad-input-tests-signing-key-0123456789abcdef";
    public const string OtherKey = "some-other-signing-key-0123456789abcdef-xyz";

    /// <summary>A valid token's claims for <paramref name="subject"/>; change them to make a bad one.</summary>
    public static Dictionary<string, object?> Claims(string? subject)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new Dictionary<string, object?> { ["iss"] = "bookmyshow", ["aud"] = "bookmyshow", ["iat"] = now, ["nbf"] = now, ["exp"] = now + 3600 };
        if (subject is not null) claims["sub"] = subject;
        return claims;
    }

    public static string Sign(Dictionary<string, object?> claims, string key = SigningKey, string algorithm = "HS256")
    {
        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { alg = algorithm, typ = "JWT" }));
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        if (algorithm == "none") return $"{header}.{payload}.";
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes($"{header}.{payload}"));
        return $"{header}.{payload}.{Base64Url(signature)}";
    }

    public static string For(string subject, params string[] roles)
    {
        var claims = Claims(subject);
        if (roles.Length > 0) claims["role"] = roles;
        return Sign(claims);
    }

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

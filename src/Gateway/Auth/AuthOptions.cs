namespace BookMyShow.Gateway.Auth;

/// <summary>Configuration section "Auth".</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    public string Issuer { get; set; } = "bookmyshow";
    public string Audience { get; set; } = "bookmyshow";

    /// <summary>HMAC-SHA256 key, at least 32 characters. Required unless development tokens are on.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Whether POST /v1/auth/dev-token exists. Unset: on in the embedded mode outside Production.</summary>
    public bool? DevTokens { get; set; }

    public TimeSpan DevTokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// Whether a development token may carry roles (such as operator). Off by default: anyone who can reach
    /// POST /v1/auth/dev-token could otherwise make themselves an operator.
    /// </summary>
    public bool DevTokenRoles { get; set; }
}

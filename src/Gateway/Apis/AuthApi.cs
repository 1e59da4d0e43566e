using System.Net.Mail;
using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using BookMyShow.Gateway.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace BookMyShow.Gateway.Apis;

/// <summary>The dev-token request body (documentation only).</summary>
public sealed record DevTokenRequest(string UserId, IReadOnlyList<string>? Roles, string? Email);

public sealed record DevTokenResponse(string AccessToken, string TokenType, int ExpiresIn);

public static partial class AuthApi
{
    [GeneratedRegex("^[A-Za-z0-9_.@-]{1,64}$")]
    private static partial Regex UserIdPattern();

    static readonly string[] KnownRoles = ["operator"];

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app, TokenSettings settings)
    {
        if (!settings.DevTokensEnabled) return app;
        app.MapPost("/v1/auth/dev-token", IssueDevToken)
            .WithTags("Auth")
            .WithSummary("Issue a development token for any user id (only when development tokens are enabled).")
            .Accepts<DevTokenRequest>("application/json")
            .Produces<DevTokenResponse>()
            .ProducesProblem(400);
        return app;
    }

    static async Task<Results<Ok<DevTokenResponse>, ProblemHttpResult>> IssueDevToken(HttpRequest request, TokenSettings settings, TimeProvider time)
    {
        var body = await JsonBody.ReadObjectAsync(request);
        if (body.Problem is not null) return body.Problem;
        var root = body.Root;
        if (!root.TryGetProperty("user_id", out var userIdElement) || userIdElement.ValueKind != JsonValueKind.String)
        {
            return Problems.BadRequest("user_id is required and must be a string.");
        }
        var userId = userIdElement.GetString()!;
        if (!UserIdPattern().IsMatch(userId))
        {
            return Problems.BadRequest("user_id must be 1-64 characters of letters, digits, '_', '-', '.' or '@'.");
        }
        var roles = new List<string>();
        if (root.TryGetProperty("roles", out var rolesElement))
        {
            if (rolesElement.ValueKind != JsonValueKind.Array || rolesElement.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String))
            {
                return Problems.BadRequest("roles must be an array of strings.");
            }
            roles.AddRange(rolesElement.EnumerateArray().Select(r => r.GetString()!));
            var unknown = roles.Except(KnownRoles).ToList();
            if (unknown.Count > 0) return Problems.BadRequest($"Unknown role(s): {string.Join(", ", unknown)}.");
        }

        string? email = null;
        if (root.TryGetProperty("email", out var emailElement) && emailElement.ValueKind != JsonValueKind.Null)
        {
            email = emailElement.ValueKind == JsonValueKind.String ? emailElement.GetString() : null;
            if (email is null || email.Length > 254 || !MailAddress.TryCreate(email, out var parsed) || parsed.Address != email)
            {
                return Problems.BadRequest("email must be a plain e-mail address such as ana@example.com.");
            }
        }

        var now = time.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object> { ["sub"] = userId };
        if (email is not null) claims["email"] = email;
        if (roles.Count > 0) claims["role"] = roles.ToArray();
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + settings.DevTokenLifetime,
            SigningCredentials = new SigningCredentials(settings.Key, SecurityAlgorithms.HmacSha256),
        });
        return TypedResults.Ok(new DevTokenResponse(token, "Bearer", (int)settings.DevTokenLifetime.TotalSeconds));
    }
}

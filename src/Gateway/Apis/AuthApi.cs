using BookMyShow.Gateway.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace BookMyShow.Gateway.Apis;

public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app, TokenSettings settings)
    {
        if (!settings.DevTokensEnabled) return app;
        app.MapPost("/v1/auth/dev-token", IssueDevToken)
            .WithTags("Auth")
            .WithSummary("Issue a development token for any user id (only when development tokens are enabled; roles only with Auth:DevTokenRoles).");
        return app;
    }

    [ProblemResponses(StatusCodes.Status403Forbidden)]
    static Results<Ok<DevTokenResponse>, ProblemHttpResult> IssueDevToken([FromBody] DevTokenRequest body, TokenSettings settings, TimeProvider time)
    {
        var (userId, roles, email, invalid) = body.Validate(settings.DevTokenRoles);
        if (invalid is not null) return invalid;

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

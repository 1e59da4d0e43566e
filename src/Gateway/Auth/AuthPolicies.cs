using Microsoft.AspNetCore.Authorization;

namespace BookMyShow.Gateway.Auth;

/// <summary>Authorization policies, by name: endpoints say which one they need instead of checking roles inline.</summary>
public static class AuthPolicies
{
    /// <summary>Operators: per-show statistics. The token carries the role <see cref="OperatorRole"/>.</summary>
    public const string Operator = "operator";
    public const string OperatorRole = "operator";

    public static AuthorizationBuilder AddGatewayPolicies(this AuthorizationBuilder builder) =>
        builder.AddPolicy(Operator, policy => policy.RequireAuthenticatedUser().RequireRole(OperatorRole));

    /// <summary>The 403 detail when an endpoint's policy refused the caller; null for other 403s.</summary>
    public static string? ForbiddenDetail(Endpoint? endpoint) =>
        endpoint?.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == Operator) == true
            ? $"This is for operators: the token needs the role '{OperatorRole}'."
            : null;
}

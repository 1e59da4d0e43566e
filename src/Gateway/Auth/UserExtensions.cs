using System.Security.Claims;

namespace BookMyShow.Gateway.Auth;

public static class UserExtensions
{
    /// <summary>The authenticated user's id: the token's subject (a token without one is refused at authentication).</summary>
    public static string UserId(this ClaimsPrincipal user) =>
        user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier)
        ?? throw new InvalidOperationException("An authenticated user has no subject.");
}

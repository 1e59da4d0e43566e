using System.Net.Mail;
using System.Reflection;
using System.Text.RegularExpressions;
using BookMyShow.Gateway.Apis.Binding;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace BookMyShow.Gateway.Apis;

/// <summary>The body of <c>POST /v1/auth/dev-token</c>: <c>{"user_id":"u_1","email":"a@example.com","roles":["operator"]}</c>.</summary>
public sealed partial record DevTokenRequest(string? UserId, IReadOnlyList<string?>? Roles, string? Email) : IEndpointParameterMetadataProvider
{
    public const string UserIdRequired = "user_id is required and must be a string.";
    public const string RolesNotStrings = "roles must be an array of strings.";
    public const string EmailInvalid = "email must be a plain e-mail address such as ana@example.com.";
    public static readonly IReadOnlyList<string> KnownRoles = ["operator"];

    // \z, not $: "$" also matches before a final newline, and "u_1\n" is not a user id.
    [GeneratedRegex(@"^[A-Za-z0-9_.@-]{1,64}\z")]
    private static partial Regex UserIdPattern();

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(new JsonBodyErrors(WrongTypeDetail));

    /// <summary>The 400 detail for a value of the wrong JSON type at <paramref name="path"/> (a binding failure).</summary>
    public static string WrongTypeDetail(string path) =>
        path.StartsWith("$.user_id", StringComparison.Ordinal) ? UserIdRequired
        : path.StartsWith("$.roles", StringComparison.Ordinal) ? RolesNotStrings
        : path.StartsWith("$.email", StringComparison.Ordinal) ? EmailInvalid
        : $"The value at {path} has the wrong JSON type.";

    /// <summary>
    /// The token's subject, roles and e-mail, or the problem: a malformed user id, role list or address (400), or roles
    /// asked for while <paramref name="rolesAllowed"/> is off (403, Auth:DevTokenRoles).
    /// </summary>
    public (string UserId, IReadOnlyList<string> Roles, string? Email, ProblemHttpResult? Problem) Validate(bool rolesAllowed)
    {
        if (UserId is null) return Refuse(Problems.BadRequest(UserIdRequired));
        if (!UserIdPattern().IsMatch(UserId))
        {
            return Refuse(Problems.BadRequest("user_id must be 1-64 characters of letters, digits, '_', '-', '.' or '@'."));
        }
        var roles = Roles ?? [];
        if (roles.Any(r => r is null)) return Refuse(Problems.BadRequest(RolesNotStrings));
        var unknown = roles.Except(KnownRoles).ToList();
        if (unknown.Count > 0) return Refuse(Problems.BadRequest($"Unknown role(s): {string.Join(", ", unknown)}."));
        if (roles.Count > 0 && !rolesAllowed)
        {
            return Refuse(Problems.Forbidden("Development tokens carry no roles here: the server's Auth:DevTokenRoles setting is off."));
        }
        if (Email is not null && (Email.Length > 254 || !MailAddress.TryCreate(Email, out var parsed) || parsed.Address != Email))
        {
            return Refuse(Problems.BadRequest(EmailInvalid));
        }
        return (UserId, roles.Select(r => r!).Distinct().ToList(), Email, null);
    }

    static (string, IReadOnlyList<string>, string?, ProblemHttpResult?) Refuse(ProblemHttpResult problem) => ("", [], null, problem);
}

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace BookMyShow.Gateway.Apis;

/// <summary>
/// The problem+json statuses a handler answers itself. A handler's <c>Results&lt;…&gt;</c> return type describes its
/// successes to OpenAPI; a <see cref="Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult"/> carries its status
/// only at run time, so the handler names those statuses here, next to its signature.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ProblemResponsesAttribute(params int[] statusCodes) : Attribute
{
    public IReadOnlyList<int> StatusCodes { get; } = statusCodes;
}

public static class ProblemResponses
{
    static readonly string[] ProblemJson = ["application/problem+json"];

    /// <summary>
    /// Describes every endpoint's problem answers to OpenAPI: the statuses its handler names
    /// (<see cref="ProblemResponsesAttribute"/>), plus those the framework answers for it — 401 (and 403 with a policy)
    /// when it needs a token, 400/408/413/415 when it binds a JSON body.
    /// </summary>
    public static TBuilder DescribeProblems<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        // Finally: after the handler's attributes and the inferred metadata (the body type) are on the endpoint.
        builder.Finally(endpoint =>
        {
            var statuses = new SortedSet<int>();
            foreach (var declared in endpoint.Metadata.OfType<ProblemResponsesAttribute>()) statuses.UnionWith(declared.StatusCodes);
            if (endpoint.Metadata.OfType<IAcceptsMetadata>().Any(a => a.RequestType is not null))
            {
                statuses.UnionWith([StatusCodes.Status400BadRequest, StatusCodes.Status408RequestTimeout, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType]);
            }
            var authorize = endpoint.Metadata.OfType<IAuthorizeData>().ToList();
            if (authorize.Count > 0 && !endpoint.Metadata.OfType<IAllowAnonymous>().Any())
            {
                statuses.Add(StatusCodes.Status401Unauthorized);
                if (authorize.Any(a => a.Policy is not null || a.Roles is not null)) statuses.Add(StatusCodes.Status403Forbidden);
            }
            var described = endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Select(m => m.StatusCode).ToHashSet();
            foreach (var status in statuses.Where(s => !described.Contains(s)))
            {
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ProblemJson));
            }
        });
        return builder;
    }
}

using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace BookMyShow.Gateway.Apis;

/// <summary>
/// A response body serialized ahead (a cached browse answer, a seat map), or 304 when the client's copy is current.
/// Typed by what the bytes hold, so OpenAPI describes the 200 as <typeparamref name="T"/>.
/// </summary>
public sealed class CachedJsonResult<T> : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    readonly byte[]? _body;

    /// <param name="body">The serialized <typeparamref name="T"/>; null answers 304 Not Modified.</param>
    public CachedJsonResult(byte[]? body) => _body = body;

    public int? StatusCode => _body is null ? StatusCodes.Status304NotModified : StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        if (_body is null)
        {
            httpContext.Response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        return TypedResults.Bytes(_body, "application/json").ExecuteAsync(httpContext);
    }

    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status304NotModified, typeof(void)));
    }
}

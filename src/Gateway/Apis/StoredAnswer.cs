using System.Reflection;
using System.Text;
using BookMyShow.Core.Persistence;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace BookMyShow.Gateway.Apis;

/// <summary>
/// A confirmation's answer as stored with its Idempotency-Key (ADR 0007), returned verbatim on every retry: the
/// booking (200), or the problem that ended it — declined (402), released or confirmed under another key (409),
/// expired (410), provider unavailable or booking failed (503).
/// </summary>
public sealed class StoredAnswer(ConfirmRequest request) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    static readonly string[] ProblemJson = ["application/problem+json"];

    public int? StatusCode => request.StatusCode;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var status = request.StatusCode ?? throw new InvalidOperationException($"Confirm request {request.IdempotencyKey} has no answer yet.");
        var contentType = status >= 400 ? "application/problem+json" : "application/json";
        return TypedResults.Content(request.ResponseBody, contentType, Encoding.UTF8, status).ExecuteAsync(httpContext);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(ConfirmedBookingResponse), ["application/json"]));
        foreach (var status in new[] { StatusCodes.Status402PaymentRequired, StatusCodes.Status409Conflict, StatusCodes.Status410Gone, StatusCodes.Status503ServiceUnavailable })
        {
            builder.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ProblemJson));
        }
    }
}

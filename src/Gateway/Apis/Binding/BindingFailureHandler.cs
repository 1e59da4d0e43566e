using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace BookMyShow.Gateway.Apis.Binding;

/// <summary>
/// The one place a request the framework could not bind becomes a problem: the framework throws
/// <see cref="BadHttpRequestException"/> (RouteHandlerOptions.ThrowOnBadRequest) for a body that is not JSON or not
/// the endpoint's type, a missing body or a wrong content type, and Kestrel throws it while a body is read (too large,
/// too slow, broken chunking). Its status stays; the words come from <see cref="BindingFailures"/> and <see cref="StatusProblems"/>.
/// </summary>
public sealed class BindingFailureHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var http = httpContext;
        if (exception is not BadHttpRequestException bad || http.Response.HasStarted) return false;

        var problem = new ProblemDetails { Status = bad.StatusCode };
        if (bad.StatusCode == StatusCodes.Status400BadRequest)
        {
            // The exception handler has cleared the request's endpoint by now; the feature keeps the one that failed.
            var endpoint = http.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? http.GetEndpoint();
            var body = endpoint?.Metadata.GetMetadata<JsonBodyErrors>();
            problem.Title = "Invalid request";
            problem.Type = Problems.InvalidRequestType;
            problem.Detail = body is null && bad.InnerException is null
                ? $"The request could not be read: {bad.Message}"
                : BindingFailures.Describe(bad.InnerException, body, bodyWasEmpty: http.Request.ContentLength is 0 or null && !HasChunkedBody(http));
        }
        http.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    static bool HasChunkedBody(HttpContext http) =>
        http.Request.Headers.TransferEncoding.ToString().Contains("chunked", StringComparison.OrdinalIgnoreCase);
}

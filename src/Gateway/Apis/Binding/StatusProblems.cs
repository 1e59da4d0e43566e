using BookMyShow.Gateway.Auth;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace BookMyShow.Gateway.Apis.Binding;

/// <summary>
/// Title, detail and type for the problems the framework and Kestrel answer without words of ours: a body too large
/// (413) or too slow (408), a body that is not JSON (415), a refused token (401), a policy not met (403). Filled into
/// every problem+json that has no detail yet (status-code pages, the binding-failure handler), so those answers read
/// like the handlers' own.
/// </summary>
public static class StatusProblems
{
    public static void Complete(ProblemDetails problem, HttpContext http)
    {
        if (problem.Detail is not null || problem.Status is not { } status) return;
        var (title, detail) = Describe(status, http);
        if (detail is null) return;
        problem.Title = title;
        problem.Detail = detail;
        problem.Type = $"https://bookmyshow.example/problems/{status}";
    }

    /// <summary>The words for a status; a null detail leaves the framework's problem as it is.</summary>
    public static (string Title, string? Detail) Describe(int status, HttpContext http) => status switch
    {
        StatusCodes.Status400BadRequest => ("Invalid request", "The request could not be read."),
        StatusCodes.Status401Unauthorized => ("Unauthorized", AuthFailures.Describe(http)),
        StatusCodes.Status403Forbidden => ("Forbidden", AuthPolicies.ForbiddenDetail(http.GetEndpoint())),
        StatusCodes.Status408RequestTimeout => ("Request timeout",
            "The body did not arrive in time: it stalled, or came slower than the server's minimum data rate."),
        StatusCodes.Status413PayloadTooLarge => ("Body too large",
            $"The body may be at most {http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? RequestLimits.DefaultMaxBodyBytes} bytes."),
        StatusCodes.Status415UnsupportedMediaType => ("Unsupported media type", "Send the body as application/json."),
        _ => ("", null),
    };
}

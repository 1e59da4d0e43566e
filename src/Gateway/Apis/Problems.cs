using Microsoft.AspNetCore.Http.HttpResults;

namespace BookMyShow.Gateway.Apis;

/// <summary>RFC 9457 problem details with a stable type URI per kind of problem.</summary>
public static class Problems
{
    public const string InvalidRequestType = "https://bookmyshow.example/problems/invalid-request";

    public static ProblemHttpResult Of(int status, string title, string detail, IDictionary<string, object?>? extensions = null, string? type = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: type ?? $"https://bookmyshow.example/problems/{status}", extensions: extensions);

    public static ProblemHttpResult BadRequest(string detail, IDictionary<string, object?>? extensions = null) =>
        Of(StatusCodes.Status400BadRequest, "Invalid request", detail, extensions, InvalidRequestType);

    public static ProblemHttpResult NotFound(string detail) =>
        Of(StatusCodes.Status404NotFound, "Not found", detail, type: "https://bookmyshow.example/problems/not-found");

    public static ProblemHttpResult Conflict(string title, string detail, IDictionary<string, object?>? extensions = null) =>
        Of(StatusCodes.Status409Conflict, title, detail, extensions, "https://bookmyshow.example/problems/conflict");

    public static ProblemHttpResult Forbidden(string detail) =>
        Of(StatusCodes.Status403Forbidden, "Forbidden", detail, type: "https://bookmyshow.example/problems/forbidden");

    public static ProblemHttpResult Unavailable(string title, string detail) =>
        Of(StatusCodes.Status503ServiceUnavailable, title, detail);
}

using System.Reflection;
using BookMyShow.Gateway.Apis.Binding;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace BookMyShow.Gateway.Apis;

/// <summary>The body of <c>POST /v1/bookings/confirm</c>: <c>{"hold_id":"h_…","payment_token":"pm_card_visa"}</c>.</summary>
public sealed record ConfirmBookingRequest(string? HoldId, string? PaymentToken) : IEndpointParameterMetadataProvider
{
    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(new JsonBodyErrors(WrongTypeDetail));

    /// <summary>The 400 detail for a value of the wrong JSON type at <paramref name="path"/> (a binding failure).</summary>
    public static string WrongTypeDetail(string path) =>
        path.StartsWith("$.hold_id", StringComparison.Ordinal) ? Required("hold_id")
        : path.StartsWith("$.payment_token", StringComparison.Ordinal) ? Required("payment_token")
        : $"The value at {path} has the wrong JSON type.";

    /// <summary>The hold and the payment token, or the 400 naming the first field that is missing, blank, too long or holds control characters.</summary>
    public (string HoldId, string PaymentToken, ProblemHttpResult? Problem) Validate()
    {
        if (Check(HoldId, "hold_id") is { } badHold) return ("", "", badHold);
        if (Check(PaymentToken, "payment_token") is { } badToken) return ("", "", badToken);
        return (HoldId!, PaymentToken!, null);
    }

    static ProblemHttpResult? Check(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) || value.Length > Ids.MaxLength ? Problems.BadRequest(Required(name))
        : value.Any(char.IsControl) ? Problems.BadRequest($"{name} must not contain control characters.")
        : null;

    static string Required(string name) => $"{name} is required and must be a string.";
}

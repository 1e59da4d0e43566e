namespace BookMyShow.Gateway.Apis.Binding;

/// <summary>
/// Endpoint metadata added by a JSON request body type (through <see cref="Microsoft.AspNetCore.Http.Metadata.IEndpointParameterMetadataProvider"/>):
/// how that type words the 400 for a value of the wrong JSON type at a path such as <c>$.seat_ids[0]</c>.
/// </summary>
public sealed record JsonBodyErrors(Func<string, string> WrongTypeDetail);

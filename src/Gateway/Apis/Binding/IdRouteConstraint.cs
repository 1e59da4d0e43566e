namespace BookMyShow.Gateway.Apis.Binding;

/// <summary>
/// <c>{show_id:id}</c>: a route value that is not a well-formed id (<see cref="Ids"/>) matches no endpoint, so it is
/// answered 404 (problem+json, from the status-code pages) before any handler or database sees it.
/// </summary>
public sealed class IdRouteConstraint : IRouteConstraint
{
    public const string Name = "id";

    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        values.TryGetValue(routeKey, out var value) && value is string id && Ids.IsWellFormed(id);
}

namespace NetBet.Web.Http;

/// <summary>
/// The UI's deep links all serve <c>index.html</c>; the client-side router renders the page. Only these patterns
/// fall back, so an unknown <c>/api/...</c> path stays a 404.
/// </summary>
internal static class UiRoutes
{
    public static IEndpointRouteBuilder MapUi(this IEndpointRouteBuilder routes)
    {
        routes.MapFallbackToFile("/", "index.html");
        routes.MapFallbackToFile("/leagues/{league}", "index.html");
        routes.MapFallbackToFile("/events/{market_id}", "index.html");
        return routes;
    }
}

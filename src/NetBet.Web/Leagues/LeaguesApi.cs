using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NetBet.Data.Queries;
using NetBet.Web.Http;

namespace NetBet.Web.Leagues;

/// <summary><c>/api/leagues</c>: competitions with market counts, and each competition's markets with latest metrics.</summary>
internal static class LeaguesApi
{
    private const int DefaultLimit = 100;

    public static RouteGroupBuilder MapLeagues(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/leagues").WithTags("Leagues");
        group.MapGet("/", ListLeaguesAsync).WithName("ListLeagues");
        group.MapGet("/{league}/events", ListEventsAsync).WithName("ListLeagueEvents");
        return group;
    }

    /// <summary>Competitions with markets starting in the window (default: yesterday to seven days ahead, UTC).</summary>
    public static async Task<Results<Ok<LeagueList>, ValidationProblem>> ListLeaguesAsync(
        [FromQuery(Name = "from")] string? from,
        [FromQuery(Name = "to")] string? to,
        [FromQuery(Name = "q")] string? q,
        [FromQuery(Name = "include_in_play")] string? includeInPlay,
        [FromQuery(Name = "limit")] string? limit,
        [FromQuery(Name = "offset")] string? offset,
        LeagueQueries leagues,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var query = new QueryParameters();
        var window = query.MarketStartWindow(from, to, clock);
        var withInPlay = query.Bool("include_in_play", includeInPlay, true);
        var pageSize = query.Int("limit", limit, DefaultLimit, 1, QueryParameters.MaxLimit);
        var skip = query.Int("offset", offset, 0, 0, int.MaxValue);
        if (!query.IsValid)
        {
            return query.Problem();
        }

        var page = await leagues.ListLeaguesAsync(window, q?.Trim(), withInPlay, pageSize, skip, cancellationToken);
        return TypedResults.Ok(new LeagueList(
            window.From!.Value, window.To!.Value, page.Total, pageSize, skip, [.. page.Items.Select(League.From)]));
    }

    /// <summary>The league's markets starting in the window, with their latest snapshot state and metrics.</summary>
    public static async Task<Results<Ok<LeagueEventList>, NotFound, ValidationProblem>> ListEventsAsync(
        [FromRoute(Name = "league")] string league,
        [FromQuery(Name = "from")] string? from,
        [FromQuery(Name = "to")] string? to,
        [FromQuery(Name = "include_in_play")] string? includeInPlay,
        [FromQuery(Name = "limit")] string? limit,
        [FromQuery(Name = "offset")] string? offset,
        LeagueQueries leagues,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var query = new QueryParameters();
        var window = query.MarketStartWindow(from, to, clock);
        var withInPlay = query.Bool("include_in_play", includeInPlay, true);
        var pageSize = query.Int("limit", limit, DefaultLimit, 1, QueryParameters.MaxLimit);
        var skip = query.Int("offset", offset, 0, 0, int.MaxValue);
        if (!query.IsValid)
        {
            return query.Problem();
        }

        var page = await leagues.ListEventsAsync(league, window, withInPlay, pageSize, skip, cancellationToken);
        if (page is null)
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(new LeagueEventList(
            page.League, page.CompetitionId, page.CompetitionName, window.From!.Value, window.To!.Value,
            page.Events.Total, pageSize, skip, [.. page.Events.Items.Select(LeagueEvent.From)]));
    }
}

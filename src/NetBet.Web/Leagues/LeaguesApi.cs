using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NetBet.Data.Queries;

namespace NetBet.Web.Leagues;

/// <summary><c>/api/leagues</c>: competitions with market counts, and each competition's markets with latest metrics.</summary>
internal static class LeaguesApi
{
    public static RouteGroupBuilder MapLeagues(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/leagues").WithTags("Leagues");
        group.MapGet("/", ListLeaguesAsync).WithName("ListLeagues");
        group.MapGet("/{league}/events", ListEventsAsync).WithName("ListLeagueEvents");
        return group;
    }

    /// <summary>Competitions with markets starting in the window (default: yesterday to seven days ahead, UTC).</summary>
    public static async Task<Results<Ok<LeagueList>, ValidationProblem>> ListLeaguesAsync(
        [AsParameters] MarketListParameters parameters,
        [FromQuery(Name = "q")] string? q,
        LeagueQueries leagues,
        CancellationToken cancellationToken)
    {
        if (!parameters.TryParse(out var list, out var problem))
        {
            return problem;
        }

        var page = await leagues.ListLeaguesAsync(list.Window, q?.Trim(), list.IncludeInPlay, list.Limit, list.Offset, cancellationToken);
        return TypedResults.Ok(new LeagueList(list.From, list.To, page.Total, list.Limit, list.Offset, page.Items));
    }

    /// <summary>The league's markets starting in the window, with their latest snapshot state and metrics.</summary>
    public static async Task<Results<Ok<LeagueEventList>, NotFound, ValidationProblem>> ListEventsAsync(
        [FromRoute(Name = "league")] string league,
        [AsParameters] MarketListParameters parameters,
        LeagueQueries leagues,
        CancellationToken cancellationToken)
    {
        if (!parameters.TryParse(out var list, out var problem))
        {
            return problem;
        }

        var page = await leagues.ListEventsAsync(league, list.Window, list.IncludeInPlay, list.Limit, list.Offset, cancellationToken);
        if (page is null)
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(new LeagueEventList(
            page.League, page.CompetitionId, page.CompetitionName, list.From, list.To,
            page.Events.Total, list.Limit, list.Offset, [.. page.Events.Items.Select(row => new LeagueEvent(row))]));
    }
}

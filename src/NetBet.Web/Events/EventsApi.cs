using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NetBet.Data.Queries;
using NetBet.Web.Http;

namespace NetBet.Web.Events;

/// <summary><c>/api/events/{market_id}</c>: one market's metadata, bucketed metric timeseries and newest raw book.</summary>
internal static class EventsApi
{
    public static RouteGroupBuilder MapEvents(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/events/{market_id}").WithTags("Events");
        group.MapGet("/timeseries", GetTimeseriesAsync).WithName("GetTimeseries")
            .CacheOutput(HttpCaching.MarketHistoryPolicy)
            .AddEndpointFilter<MarketHistoryValidation>();
        group.MapGet("/meta", GetMetaAsync).WithName("GetMarketMeta");
        group.MapGet("/latest_raw", GetLatestRawAsync).WithName("GetLatestRaw");
        return group;
    }

    /// <summary>The last snapshot of each <c>interval_minutes</c> bucket (UTC-aligned) with its derived metrics.</summary>
    public static Task<Results<Ok<IReadOnlyList<TimeseriesPoint>>, NotFound, ValidationProblem>> GetTimeseriesAsync(
        [AsParameters] TimeseriesParameters parameters,
        MarketQueries markets,
        CancellationToken cancellationToken) =>
        parameters.AnswerAsync(markets, (rows, request) =>
        {
            var points = new TimeseriesPoint[rows.Count];
            for (var i = 0; i < points.Length; i++)
            {
                points[i] = new TimeseriesPoint(rows[i], request.WithImpedance, request.WithInputs);
            }

            return TypedResults.Ok<IReadOnlyList<TimeseriesPoint>>(points);
        }, cancellationToken);

    /// <summary>The market's metadata row as Data reads it, with its snapshot extent and league key.</summary>
    public static async Task<Results<Ok<MarketDetailRow>, NotFound>> GetMetaAsync(
        [FromRoute(Name = "market_id")] string marketId,
        MarketQueries markets,
        CancellationToken cancellationToken) =>
        await markets.GetDetailAsync(marketId, cancellationToken) is { } row
            ? TypedResults.Ok(row)
            : TypedResults.NotFound();

    /// <summary>The newest snapshot's raw MarketBook; 404 when the market is unknown or has no snapshot yet.</summary>
    public static async Task<Results<Ok<RawSnapshot>, NotFound>> GetLatestRawAsync(
        [FromRoute(Name = "market_id")] string marketId,
        MarketQueries markets,
        CancellationToken cancellationToken) =>
        await markets.GetLatestRawAsync(marketId, cancellationToken) is { } row
            ? TypedResults.Ok(RawSnapshot.From(row))
            : TypedResults.NotFound();
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NetBet.Data.Queries;
using NetBet.Web.Http;

namespace NetBet.Web.Events;

/// <summary>
/// The parameters of <c>/api/events/{market_id}/timeseries</c>, shared by its CSV twin so both routes accept the same
/// query and answer the same points. Bound as text (see <see cref="QueryParameters"/>).
/// </summary>
internal readonly record struct TimeseriesParameters(
    [FromRoute(Name = "market_id")] string MarketId,
    [FromQuery(Name = "from")] string? From,
    [FromQuery(Name = "to")] string? To,
    [FromQuery(Name = "interval_minutes")] string? IntervalMinutes,
    [FromQuery(Name = "include_impedance")] string? IncludeImpedance,
    [FromQuery(Name = "include_impedance_inputs")] string? IncludeImpedanceInputs)
{
    /// <summary>Checks the parameters (errors collected in <paramref name="query"/>) and returns their values.</summary>
    public TimeseriesRequest Parse(QueryParameters query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return new TimeseriesRequest(
            query.SnapshotWindow(From, To),
            query.Int("interval_minutes", IntervalMinutes, 15, 1, QueryParameters.MaxIntervalMinutes),
            query.Bool("include_impedance", IncludeImpedance, true),
            query.Bool("include_impedance_inputs", IncludeImpedanceInputs, true));
    }

    /// <summary>
    /// Checks the parameters and reads the points: <see cref="TimeseriesRead.Problem"/> when a parameter is bad or
    /// the answer would pass <see cref="QueryParameters.MaxTimeseriesPoints"/>, null rows when the market is unknown.
    /// </summary>
    public async Task<TimeseriesRead> ReadAsync(MarketQueries markets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(markets);
        var query = new QueryParameters();
        var request = Parse(query);
        if (!query.IsValid)
        {
            return new TimeseriesRead(request, null, query.Problem());
        }

        var rows = await markets.GetTimeseriesAsync(MarketId, request.Window, request.Bucket, QueryParameters.MaxTimeseriesPoints, cancellationToken);
        return rows is { Count: > QueryParameters.MaxTimeseriesPoints }
            ? new TimeseriesRead(request, null, query.TooManyPoints())
            : new TimeseriesRead(request, rows, null);
    }

    /// <summary>
    /// Reads the points and answers with <paramref name="answer"/>, or with the problem or 404 instead: one flow for
    /// the JSON and the CSV route.
    /// </summary>
    public async Task<Results<TAnswer, NotFound, ValidationProblem>> AnswerAsync<TAnswer>(
        MarketQueries markets, Func<IReadOnlyList<MetricPointRow>, TimeseriesRequest, TAnswer> answer, CancellationToken cancellationToken)
        where TAnswer : IResult
    {
        ArgumentNullException.ThrowIfNull(answer);
        var read = await ReadAsync(markets, cancellationToken);
        if (read.Problem is { } problem)
        {
            return problem;
        }

        return read.Rows is { } rows ? answer(rows, read.Request) : TypedResults.NotFound();
    }
}

/// <summary>What <see cref="TimeseriesParameters.ReadAsync"/> found: the points, or the problem to answer instead.</summary>
internal sealed record TimeseriesRead(TimeseriesRequest Request, IReadOnlyList<MetricPointRow>? Rows, ValidationProblem? Problem);

/// <summary>Checked timeseries parameters.</summary>
internal sealed record TimeseriesRequest(TimeWindow Window, int IntervalMinutes, bool WithImpedance, bool WithInputs)
{
    public TimeSpan Bucket => TimeSpan.FromMinutes(IntervalMinutes);
}

using Microsoft.AspNetCore.Http.HttpResults;
using NetBet.Core.Metrics;
using NetBet.Data.Export;
using NetBet.Data.Queries;
using NetBet.Web.Events;
using NetBet.Web.Http;

namespace NetBet.Web.Exports;

/// <summary>
/// <c>/api/events/{market_id}/timeseries.csv</c>: the JSON timeseries' points as a CSV download, written by the same
/// CSV writer as <c>netbet export</c> (RFC 4180, NULL as an empty field).
/// </summary>
internal static class TimeseriesCsvApi
{
    private static readonly OutcomeMetric[] ImpedanceMetrics = [OutcomeMetric.Impedance, OutcomeMetric.ImpedanceNorm];

    private static readonly OutcomeMetric[] ImpedanceInputMetrics = [OutcomeMetric.BackStake, OutcomeMetric.BackOdds, OutcomeMetric.LayStake, OutcomeMetric.LayOdds];

    public static RouteGroupBuilder MapEventExports(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/events/{market_id}").WithTags("Events");
        group.MapGet("/timeseries.csv", GetTimeseriesCsvAsync).WithName("GetTimeseriesCsv").Produces(StatusCodes.Status200OK, contentType: "text/csv");
        return group;
    }

    /// <summary>
    /// Same parameters and points as <c>/timeseries</c>; columns: snapshot_id, snapshot_at, inplay, status, has_metrics,
    /// the metric columns (impedance and its inputs only when asked for, as in the JSON), each outcome's size impedance L1.
    /// </summary>
    public static Task<Results<PushStreamHttpResult, NotFound, ValidationProblem>> GetTimeseriesCsvAsync(
        [AsParameters] TimeseriesParameters parameters,
        MarketQueries markets,
        CancellationToken cancellationToken) =>
        parameters.AnswerAsync(markets, (rows, request) => Csv(parameters.MarketId, rows, request, cancellationToken), cancellationToken);

    private static PushStreamHttpResult Csv(
        string marketId, IReadOnlyList<MetricPointRow> rows, TimeseriesRequest request, CancellationToken cancellationToken)
    {
        var columns = Columns(request.WithImpedance, request.WithInputs);
        var fileName = $"{string.Concat(marketId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_'))}-timeseries-{request.IntervalMinutes}m.csv";
        return TypedResults.Stream(
            async body =>
            {
                await using var writer = await ExportWriter.CreateAsync(ExportFormat.Csv, body, columns, cancellationToken);
                foreach (var row in rows)
                {
                    await writer.WriteAsync(row, cancellationToken);
                }

                await writer.CompleteAsync(cancellationToken);
            },
            contentType: "text/csv; charset=utf-8",
            fileDownloadName: fileName);
    }

    internal static IReadOnlyList<ExportColumn<MetricPointRow>> Columns(bool withImpedance, bool withInputs)
    {
        List<ExportColumn<MetricPointRow>> columns =
        [
            ExportColumn.Whole<MetricPointRow>("snapshot_id", r => r.SnapshotId),
            ExportColumn.Timestamp<MetricPointRow>("snapshot_at", r => r.SnapshotAt),
            ExportColumn.Boolean<MetricPointRow>("inplay", r => r.Inplay),
            ExportColumn.Text<MetricPointRow>("status", r => r.Status),
            ExportColumn.Boolean<MetricPointRow>("has_metrics", r => r.HasDerivedRow),
        ];
        columns.AddRange(ExportColumn.Metrics<MetricPointRow>(r => r.Metrics, index =>
        {
            var metric = index == MetricColumns.TotalVolumeIndex ? (OutcomeMetric?)null : MetricColumns.Metrics[index % MetricColumns.Metrics.Count];
            return !(metric is { } m && ((!withImpedance && ImpedanceMetrics.Contains(m)) || (!withInputs && ImpedanceInputMetrics.Contains(m))));
        }));
        return columns;
    }
}

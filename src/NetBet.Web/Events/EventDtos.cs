using System.Text.Json;
using System.Text.Json.Serialization;
using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Data.Queries;

namespace NetBet.Web.Events;

/// <summary>
/// One point of <c>/api/events/{market_id}/timeseries</c>: the last snapshot of a bucket. Metric names are the
/// <c>market_derived_metrics</c> column names (snake_case by the app's JSON policy); the three optional objects use
/// the camelCase names of the issue and are left out entirely when not asked for. NULL stays null.
/// </summary>
internal sealed record TimeseriesPoint(
    long SnapshotId,
    DateTimeOffset SnapshotAt,
    bool? Inplay,
    string? Status,
    bool HasMetrics,
    double? HomeBestBack,
    double? HomeBestLay,
    double? HomeBestBackSizeL1,
    double? HomeBestLaySizeL1,
    double? HomeSpread,
    double? HomeRisk,
    double? HomeBookRiskL3,
    double? AwayBestBack,
    double? AwayBestLay,
    double? AwayBestBackSizeL1,
    double? AwayBestLaySizeL1,
    double? AwaySpread,
    double? AwayRisk,
    double? AwayBookRiskL3,
    double? DrawBestBack,
    double? DrawBestLay,
    double? DrawBestBackSizeL1,
    double? DrawBestLaySizeL1,
    double? DrawSpread,
    double? DrawRisk,
    double? DrawBookRiskL3,
    double? TotalVolume,
    [property: JsonPropertyName("impedance"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    OutcomeValues? Impedance,
    [property: JsonPropertyName("impedanceNorm"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    OutcomeValues? ImpedanceNorm,
    [property: JsonPropertyName("impedanceInputs"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    ImpedanceInputs? ImpedanceInputs)
{
    public static TimeseriesPoint From(MetricPointRow row, bool includeImpedance, bool includeInputs)
    {
        var m = row.Metrics;
        double? V(Outcome o, OutcomeMetric metric) => m[MetricColumns.IndexOf(o, metric)];
        return new TimeseriesPoint(
            row.SnapshotId,
            row.SnapshotAt,
            row.Inplay,
            row.Status,
            row.HasDerivedRow,
            V(Outcome.Home, OutcomeMetric.BestBack),
            V(Outcome.Home, OutcomeMetric.BestLay),
            V(Outcome.Home, OutcomeMetric.BestBackSizeL1),
            V(Outcome.Home, OutcomeMetric.BestLaySizeL1),
            V(Outcome.Home, OutcomeMetric.Spread),
            V(Outcome.Home, OutcomeMetric.Risk),
            V(Outcome.Home, OutcomeMetric.BookRiskL3),
            V(Outcome.Away, OutcomeMetric.BestBack),
            V(Outcome.Away, OutcomeMetric.BestLay),
            V(Outcome.Away, OutcomeMetric.BestBackSizeL1),
            V(Outcome.Away, OutcomeMetric.BestLaySizeL1),
            V(Outcome.Away, OutcomeMetric.Spread),
            V(Outcome.Away, OutcomeMetric.Risk),
            V(Outcome.Away, OutcomeMetric.BookRiskL3),
            V(Outcome.Draw, OutcomeMetric.BestBack),
            V(Outcome.Draw, OutcomeMetric.BestLay),
            V(Outcome.Draw, OutcomeMetric.BestBackSizeL1),
            V(Outcome.Draw, OutcomeMetric.BestLaySizeL1),
            V(Outcome.Draw, OutcomeMetric.Spread),
            V(Outcome.Draw, OutcomeMetric.Risk),
            V(Outcome.Draw, OutcomeMetric.BookRiskL3),
            m[MetricColumns.TotalVolumeIndex],
            includeImpedance ? OutcomeValues.Of(m, OutcomeMetric.Impedance) : null,
            includeImpedance ? OutcomeValues.Of(m, OutcomeMetric.ImpedanceNorm) : null,
            includeInputs ? new ImpedanceInputs(
                OutcomeInputs.Of(m, Outcome.Home), OutcomeInputs.Of(m, Outcome.Away), OutcomeInputs.Of(m, Outcome.Draw)) : null);
    }
}

/// <summary>One metric for the three outcomes.</summary>
internal sealed record OutcomeValues(double? Home, double? Away, double? Draw)
{
    public static OutcomeValues Of(IReadOnlyList<double?> metrics, OutcomeMetric metric) => new(
        metrics[MetricColumns.IndexOf(Outcome.Home, metric)],
        metrics[MetricColumns.IndexOf(Outcome.Away, metric)],
        metrics[MetricColumns.IndexOf(Outcome.Draw, metric)]);
}

/// <summary>The impedance inputs of the three outcomes.</summary>
internal sealed record ImpedanceInputs(OutcomeInputs Home, OutcomeInputs Away, OutcomeInputs Draw);

/// <summary>
/// The VWAP inputs of one outcome's impedance (METRICS.md section 4). <c>backProfit = backStake × (backOdds − 1)</c>
/// and <c>layLiability = layStake × (layOdds − 1)</c>; each is null when one of its inputs is null.
/// </summary>
internal sealed record OutcomeInputs(
    [property: JsonPropertyName("backStake")] double? BackStake,
    [property: JsonPropertyName("backOdds")] double? BackOdds,
    [property: JsonPropertyName("backProfit")] double? BackProfit,
    [property: JsonPropertyName("layStake")] double? LayStake,
    [property: JsonPropertyName("layOdds")] double? LayOdds,
    [property: JsonPropertyName("layLiability")] double? LayLiability)
{
    public static OutcomeInputs Of(IReadOnlyList<double?> metrics, Outcome outcome)
    {
        var backStake = metrics[MetricColumns.IndexOf(outcome, OutcomeMetric.BackStake)];
        var backOdds = metrics[MetricColumns.IndexOf(outcome, OutcomeMetric.BackOdds)];
        var layStake = metrics[MetricColumns.IndexOf(outcome, OutcomeMetric.LayStake)];
        var layOdds = metrics[MetricColumns.IndexOf(outcome, OutcomeMetric.LayOdds)];
        return new OutcomeInputs(
            backStake,
            backOdds,
            backStake * (backOdds - 1),
            layStake,
            layOdds,
            layStake * (layOdds - 1));
    }
}

/// <summary>The <c>market_event_metadata</c> row of <c>/api/events/{market_id}/meta</c>, with the snapshot extent.</summary>
internal sealed record MarketMeta(
    string MarketId,
    string? MarketName,
    DateTimeOffset? MarketStartTime,
    string? SportId,
    string? SportName,
    string? EventId,
    string? EventName,
    DateTimeOffset? EventOpenDate,
    string? CountryCode,
    string? CompetitionId,
    string? CompetitionName,
    string? Timezone,
    long? HomeSelectionId,
    long? AwaySelectionId,
    long? DrawSelectionId,
    string? HomeRunnerName,
    string? AwayRunnerName,
    string? DrawRunnerName,
    DateTimeOffset? FirstSeenAt,
    DateTimeOffset? LastSeenAt,
    long SnapshotCount,
    DateTimeOffset? FirstSnapshotAt,
    DateTimeOffset? LastSnapshotAt,
    bool? Inplay,
    string? Status,
    string League)
{
    public static MarketMeta From(MarketDetailRow r) => new(
        r.MarketId, r.MarketName, r.MarketStartTime, r.SportId, r.SportName, r.EventId, r.EventName, r.EventOpenDate,
        r.CountryCode, r.CompetitionId, r.CompetitionName, r.Timezone, r.HomeSelectionId, r.AwaySelectionId,
        r.DrawSelectionId, r.HomeRunnerName, r.AwayRunnerName, r.DrawRunnerName, r.FirstSeenAt, r.LastSeenAt,
        r.SnapshotCount, r.FirstSnapshotAt, r.LastSnapshotAt, r.Inplay, r.Status, r.League);
}

/// <summary>A stored snapshot's raw MarketBook, as JSON (null when the stored payload is NULL).</summary>
internal sealed record RawSnapshot(long SnapshotId, string MarketId, DateTimeOffset SnapshotAt, JsonElement? RawPayload)
{
    public static RawSnapshot From(RawSnapshotRow row)
    {
        JsonElement? payload = null;
        if (row.RawPayloadJson is { } json)
        {
            using var document = JsonDocument.Parse(json);
            payload = document.RootElement.Clone();
        }

        return new RawSnapshot(row.SnapshotId, row.MarketId, row.SnapshotAt, payload);
    }
}

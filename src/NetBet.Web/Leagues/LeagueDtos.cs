using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Data.Queries;

namespace NetBet.Web.Leagues;

/// <summary>The answer of <c>/api/leagues</c>: one page of competitions for the start-time window.</summary>
internal sealed record LeagueList(DateTimeOffset From, DateTimeOffset To, long Total, int Limit, int Offset, IReadOnlyList<League> Leagues);

/// <summary>
/// One competition. <see cref="Key"/> (JSON <c>league</c>) is the path segment of <c>/api/leagues/{league}/events</c>:
/// the competition id, else a slug of the name, else <c>unknown</c>.
/// </summary>
internal sealed record League(
    [property: System.Text.Json.Serialization.JsonPropertyName("league")] string Key,
    string? CompetitionId,
    string CompetitionName,
    string? CountryCode,
    long EventCount,
    long InPlayCount,
    DateTimeOffset? FirstStartTime,
    DateTimeOffset? LastStartTime)
{
    public static League From(LeagueRow r) =>
        new(r.League, r.CompetitionId, r.CompetitionName, r.CountryCode, r.EventCount, r.InPlayCount, r.FirstStartTime, r.LastStartTime);
}

/// <summary>The answer of <c>/api/leagues/{league}/events</c>.</summary>
internal sealed record LeagueEventList(
    [property: System.Text.Json.Serialization.JsonPropertyName("league")] string Key,
    string? CompetitionId,
    string CompetitionName,
    DateTimeOffset From,
    DateTimeOffset To,
    long Total,
    int Limit,
    int Offset,
    IReadOnlyList<LeagueEvent> Events);

/// <summary>One market of a league: names, start time, latest snapshot state and latest metrics per outcome.</summary>
internal sealed record LeagueEvent(
    string MarketId,
    string? MarketName,
    string? EventName,
    string? HomeRunnerName,
    string? AwayRunnerName,
    string? DrawRunnerName,
    DateTimeOffset? MarketStartTime,
    bool? Inplay,
    string? Status,
    DateTimeOffset? LatestSnapshotAt,
    DateTimeOffset? LatestMetricsAt,
    double? TotalVolume,
    LatestOutcome? Home,
    LatestOutcome? Away,
    LatestOutcome? Draw)
{
    public static LeagueEvent From(LeagueEventRow r)
    {
        var m = r.LatestMetrics;
        return new LeagueEvent(
            r.MarketId, r.MarketName, r.EventName, r.HomeRunnerName, r.AwayRunnerName, r.DrawRunnerName, r.MarketStartTime,
            r.Inplay, r.Status, r.LatestSnapshotAt, r.LatestMetricsAt,
            m?[MetricColumns.TotalVolumeIndex],
            m is null ? null : LatestOutcome.Of(m, Outcome.Home),
            m is null ? null : LatestOutcome.Of(m, Outcome.Away),
            m is null ? null : LatestOutcome.Of(m, Outcome.Draw));
    }
}

/// <summary>The latest derived metrics of one outcome (column names without the outcome prefix).</summary>
internal sealed record LatestOutcome(
    double? BestBack,
    double? BestLay,
    double? BestBackSizeL1,
    double? BestLaySizeL1,
    double? BackStake,
    double? BackOdds,
    double? LayStake,
    double? LayOdds,
    double? Impedance,
    double? ImpedanceNorm,
    double? Risk,
    double? BookRiskL3)
{
    public static LatestOutcome Of(IReadOnlyList<double?> m, Outcome o) => new(
        m[MetricColumns.IndexOf(o, OutcomeMetric.BestBack)],
        m[MetricColumns.IndexOf(o, OutcomeMetric.BestLay)],
        m[MetricColumns.IndexOf(o, OutcomeMetric.BestBackSizeL1)],
        m[MetricColumns.IndexOf(o, OutcomeMetric.BestLaySizeL1)],
        m[MetricColumns.IndexOf(o, OutcomeMetric.BackStake)],
        m[MetricColumns.IndexOf(o, OutcomeMetric.BackOdds)],
        m[MetricColumns.IndexOf(o, OutcomeMetric.LayStake)],
        m[MetricColumns.IndexOf(o, OutcomeMetric.LayOdds)],
        m[MetricColumns.IndexOf(o, OutcomeMetric.Impedance)],
        m[MetricColumns.IndexOf(o, OutcomeMetric.ImpedanceNorm)],
        m[MetricColumns.IndexOf(o, OutcomeMetric.Risk)],
        m[MetricColumns.IndexOf(o, OutcomeMetric.BookRiskL3)]);
}

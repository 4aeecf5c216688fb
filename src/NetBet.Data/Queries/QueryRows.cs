namespace NetBet.Data.Queries;

/// <summary>A time window on a timestamptz column: <c>From</c> inclusive, <c>To</c> exclusive; null means open.</summary>
/// <param name="From">Inclusive lower bound, or null for no lower bound.</param>
/// <param name="To">Exclusive upper bound, or null for no upper bound.</param>
public readonly record struct TimeWindow(DateTimeOffset? From, DateTimeOffset? To);

/// <summary>One page of rows with the number of rows across all pages.</summary>
/// <typeparam name="T">The row type.</typeparam>
/// <param name="Total">Rows matching the filter, ignoring limit and offset.</param>
/// <param name="Items">The rows of the requested page.</param>
public sealed record QueryPage<T>(long Total, IReadOnlyList<T> Items);

/// <summary>
/// One competition with its market counts. <see cref="League"/> is the competition id when the market has one,
/// else a slug of the competition name, else <see cref="LeagueQueries.UnknownLeague"/>.
/// </summary>
public sealed record LeagueRow(
    string League,
    string? CompetitionId,
    string CompetitionName,
    string? CountryCode,
    long EventCount,
    long InPlayCount,
    DateTimeOffset? FirstStartTime,
    DateTimeOffset? LastStartTime);

/// <summary>One market of a league with its latest snapshot state and latest derived metrics.</summary>
/// <param name="LatestMetrics">The newest derived row's metric values in <c>MetricColumns.Names</c> order; null when none.</param>
public sealed record LeagueEventRow(
    string MarketId,
    string? MarketName,
    string? EventName,
    string? CompetitionId,
    string? CompetitionName,
    string? HomeRunnerName,
    string? AwayRunnerName,
    string? DrawRunnerName,
    DateTimeOffset? MarketStartTime,
    bool? Inplay,
    string? Status,
    DateTimeOffset? LatestSnapshotAt,
    DateTimeOffset? LatestMetricsAt,
    IReadOnlyList<double?>? LatestMetrics);

/// <summary>The events of one league: the league's names and one page of its markets.</summary>
public sealed record LeagueEventsPage(string League, string? CompetitionId, string CompetitionName, QueryPage<LeagueEventRow> Events);

/// <summary>
/// The last snapshot of one time bucket with its derived metrics. <see cref="Metrics"/> is in
/// <c>MetricColumns.Names</c> order; every value is null when the snapshot has no derived row.
/// </summary>
public sealed record MetricPointRow(
    long SnapshotId,
    DateTimeOffset SnapshotAt,
    bool? Inplay,
    string? Status,
    bool HasDerivedRow,
    IReadOnlyList<double?> Metrics);

/// <summary>A <c>market_event_metadata</c> row with the extent of the market's snapshots and its league key.</summary>
public sealed record MarketDetailRow(
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
    string League);

/// <summary>One stored snapshot's raw MarketBook payload (JSON text as stored in JSONB; null when NULL).</summary>
public sealed record RawSnapshotRow(long SnapshotId, string MarketId, DateTimeOffset SnapshotAt, string? RawPayloadJson);

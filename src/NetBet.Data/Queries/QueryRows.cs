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
/// else a slug of the competition name, else <see cref="LeagueQueries.UnknownLeague"/>. Rows are filled by Dapper
/// from snake_case columns of the same names.
/// </summary>
public sealed record LeagueRow
{
    public required string League { get; init; }
    public string? CompetitionId { get; init; }
    public required string CompetitionName { get; init; }
    public string? CountryCode { get; init; }
    public long EventCount { get; init; }
    public long InPlayCount { get; init; }
    public DateTimeOffset? FirstStartTime { get; init; }
    public DateTimeOffset? LastStartTime { get; init; }
}

/// <summary>One market of a league with its latest snapshot state and latest derived metrics.</summary>
public sealed record LeagueEventRow
{
    public required string MarketId { get; init; }
    public string? MarketName { get; init; }
    public string? EventName { get; init; }
    public string? HomeRunnerName { get; init; }
    public string? AwayRunnerName { get; init; }
    public string? DrawRunnerName { get; init; }
    public DateTimeOffset? MarketStartTime { get; init; }
    public bool? Inplay { get; init; }
    public string? Status { get; init; }
    public DateTimeOffset? LatestSnapshotAt { get; init; }
    public DateTimeOffset? LatestMetricsAt { get; init; }

    /// <summary>The newest derived row's metric values in <c>MetricColumns.Names</c> order; null when none.</summary>
    public IReadOnlyList<double?>? LatestMetrics { get; init; }
}

/// <summary>The events of one league: the league's names and one page of its markets.</summary>
public sealed record LeagueEventsPage(string League, string? CompetitionId, string CompetitionName, QueryPage<LeagueEventRow> Events);

/// <summary>The last snapshot of one time bucket with its derived metrics (read by hand, see <c>MarketQueries</c>).</summary>
public sealed record MetricPointRow
{
    public long SnapshotId { get; init; }
    public DateTimeOffset SnapshotAt { get; init; }
    public bool? Inplay { get; init; }
    public string? Status { get; init; }
    public bool HasDerivedRow { get; init; }

    /// <summary>Metric values in <c>MetricColumns.Names</c> order; every value is null when the snapshot has no derived row.</summary>
    public required IReadOnlyList<double?> Metrics { get; init; }
}

/// <summary>
/// A market's newest snapshot: id, time and status, and the PostgreSQL row version (<c>xmin</c>) of its derived
/// metrics row (null without one). Any change to these means the market's history may read differently.
/// </summary>
public sealed record NewestSnapshotRow
{
    public long SnapshotId { get; init; }
    public DateTimeOffset SnapshotAt { get; init; }
    public string? Status { get; init; }
    public string? DerivedVersion { get; init; }

    /// <summary><c>HistoryGeneration</c>'s counter: moves when a backfill, restore or import changed older history.</summary>
    public string? HistoryVersion { get; init; }
}

/// <summary>
/// A <c>market_event_metadata</c> row with the extent of the market's snapshots and its league key. The API serves
/// it as it is (<c>/api/events/{market_id}/meta</c>), so a property added here is a field added there.
/// </summary>
public sealed record MarketDetailRow
{
    public required string MarketId { get; init; }
    public string? MarketName { get; init; }
    public DateTimeOffset? MarketStartTime { get; init; }
    public string? SportId { get; init; }
    public string? SportName { get; init; }
    public string? EventId { get; init; }
    public string? EventName { get; init; }
    public DateTimeOffset? EventOpenDate { get; init; }
    public string? CountryCode { get; init; }
    public string? CompetitionId { get; init; }
    public string? CompetitionName { get; init; }
    public string? Timezone { get; init; }
    public long? HomeSelectionId { get; init; }
    public long? AwaySelectionId { get; init; }
    public long? DrawSelectionId { get; init; }
    public string? HomeRunnerName { get; init; }
    public string? AwayRunnerName { get; init; }
    public string? DrawRunnerName { get; init; }
    public DateTimeOffset? FirstSeenAt { get; init; }
    public DateTimeOffset? LastSeenAt { get; init; }
    public long SnapshotCount { get; init; }
    public DateTimeOffset? FirstSnapshotAt { get; init; }
    public DateTimeOffset? LastSnapshotAt { get; init; }
    public bool? Inplay { get; init; }
    public string? Status { get; init; }
    public required string League { get; init; }
}

/// <summary>One stored snapshot's raw MarketBook payload (JSON text as stored in JSONB; null when NULL).</summary>
public sealed record RawSnapshotRow
{
    public long SnapshotId { get; init; }
    public required string MarketId { get; init; }
    public DateTimeOffset SnapshotAt { get; init; }
    public string? RawPayloadJson { get; init; }
}

/// <summary>The names of one league key.</summary>
internal sealed record LeagueNames
{
    public string? CompetitionId { get; init; }
    public required string CompetitionName { get; init; }
}

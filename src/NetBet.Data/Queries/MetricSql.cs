using NetBet.Core.Metrics;

namespace NetBet.Data.Queries;

/// <summary>SQL fragments shared by several query classes.</summary>
internal static class MetricSql
{
    /// <summary>
    /// The metric columns of <c>market_derived_metrics</c> (alias <c>d</c>) as one <c>float8[]</c> in
    /// <see cref="MetricColumns.Names"/> order, generated from that list. NULL is written as NaN because Npgsql
    /// refuses NULL elements in a value-type array by default; the engine never stores NaN (JSON has no NaN, and
    /// non-finite results are stored as 0), so NaN can only mean NULL, and <c>DbReading</c> reads it back as null.
    /// </summary>
    public static readonly string Array =
        $"array[{string.Join(", ", MetricColumns.Names.Select(name => $"coalesce(d.{name}, 'NaN')"))}]";

    /// <summary>
    /// The time bucket of snapshot <c>s</c> for the <c>@bucket</c> interval parameter. Buckets are aligned on
    /// 2000-01-01 00:00 UTC, so intervals that divide a day start at UTC midnight (15 min: :00, :15, ...). The API's
    /// timeseries and the exports both keep the last snapshot of each bucket.
    /// </summary>
    public const string SnapshotBucket = "date_bin(@bucket, s.snapshot_at, timestamptz '2000-01-01 00:00:00+00')";

    /// <summary>
    /// The metric columns of <c>market_derived_metrics</c> (alias <c>d</c>) one by one, in
    /// <see cref="MetricColumns.Names"/> order, generated from that list: for the one hand-mapped read
    /// (<c>MarketQueries.GetTimeseriesAsync</c>).
    /// </summary>
    public static readonly string Columns = string.Join(", ", MetricColumns.Names.Select(name => $"d.{name}"));

    /// <summary>
    /// The league key of a <c>market_event_metadata</c> row (alias <c>m</c>): the competition id when present, else a
    /// slug of the competition name, else <c>unknown</c>. API routes carry this key, so it must stay stable.
    /// </summary>
    public const string LeagueKey = """
        case
          when nullif(btrim(m.competition_id), '') is not null then btrim(m.competition_id)
          else coalesce(nullif(btrim(regexp_replace(lower(coalesce(m.competition_name, '')), '[^a-z0-9]+', '-', 'g'), '-'), ''), 'unknown')
        end
        """;

    /// <summary>The display name of a row's competition; markets without one share the "Unknown competition" group.</summary>
    public const string CompetitionName = "coalesce(nullif(btrim(m.competition_name), ''), 'Unknown competition')";

    /// <summary>
    /// The newest snapshot of market <c>m</c> as <c>ls</c> (inplay, status, snapshot_at) from <c>market_latest_state</c>,
    /// which the writers keep: one row per market, whatever the number of month partitions.
    /// </summary>
    public const string LatestStateJoin = "left join market_latest_state ls on ls.market_id = m.market_id";

    /// <summary>
    /// The newest snapshot of market <c>m</c>, using the (market_id, snapshot_at) unique index backwards: one descent
    /// per month partition. Same columns as <see cref="LatestStateJoin"/>.
    /// </summary>
    public const string LatestSnapshotLateral = """
        left join lateral (
          select s.inplay, s.status, s.snapshot_at
          from market_book_snapshots s
          where s.market_id = m.market_id
          order by s.snapshot_at desc
          limit 1
        ) ls on true
        """;
}

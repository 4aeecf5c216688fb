using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace NetBet.Data.Queries;

/// <summary>Read queries behind <c>/api/events/{market_id}</c>: metadata, the bucketed timeseries and the newest raw book.</summary>
public sealed class MarketQueries(NpgsqlDataSource dataSource)
{
    // The DISTINCT ON runs over market_book_snapshots alone, walking the (market_id, snapshot_at) unique index, and
    // only the chosen snapshots are joined to their metrics. A snapshot without a derived row (the engine skipped
    // it) still yields a point, with every metric null. The metrics are a LATERAL primary-key lookup per point: a
    // plain join let the planner hash the whole market_derived_metrics table to join a few hundred rows.
    private static readonly string TimeseriesSql = $$"""
        with picked as (
          select distinct on ({{MetricSql.SnapshotBucket}})
                 s.snapshot_id, s.snapshot_at, s.inplay, s.status
          from market_book_snapshots s
          where s.market_id = @market_id
            and s.snapshot_at >= coalesce(@from, '-infinity'::timestamptz)
            and s.snapshot_at < coalesce(@to, 'infinity'::timestamptz)
          order by {{MetricSql.SnapshotBucket}}, s.snapshot_at desc
        )
        select p.snapshot_id, p.snapshot_at, p.inplay, p.status, d.snapshot_id is not null as has_derived_row,
               {{MetricSql.Array}} as metrics
        from picked p
        left join lateral (
          select * from market_derived_metrics m where m.snapshot_id = p.snapshot_id limit 1
        ) d on true
        order by p.snapshot_at
        """;

    private const string MarketExistsSql = "select exists (select 1 from market_event_metadata where market_id = @market_id)";

    private const string DetailSql = $$"""
        select m.market_id, m.market_name, m.market_start_time, m.sport_id, m.sport_name, m.event_id, m.event_name,
               m.event_open_date, m.country_code, m.competition_id, m.competition_name, m.timezone,
               m.home_selection_id, m.away_selection_id, m.draw_selection_id,
               m.home_runner_name, m.away_runner_name, m.draw_runner_name, m.first_seen_at, m.last_seen_at,
               st.snapshot_count, st.first_snapshot_at, st.last_snapshot_at, ls.inplay, ls.status,
               {{MetricSql.LeagueKey}} as league
        from market_event_metadata m
        cross join lateral (
          select count(*) as snapshot_count, min(s.snapshot_at) as first_snapshot_at, max(s.snapshot_at) as last_snapshot_at
          from market_book_snapshots s
          where s.market_id = m.market_id
        ) st
        {{MetricSql.LatestSnapshotLateral}}
        where m.market_id = @market_id
        """;

    private const string LatestRawSql = """
        select s.snapshot_id, s.market_id, s.snapshot_at, s.raw_payload::text as raw_payload_json
        from market_book_snapshots s
        where s.market_id = @market_id
        order by s.snapshot_at desc
        limit 1
        """;

    /// <summary>
    /// The last snapshot of each <paramref name="bucket"/>-long bucket of the window, oldest first, with its derived
    /// metrics; null when the market is unknown. Buckets are aligned on 2000-01-01 00:00 UTC.
    /// </summary>
    /// <param name="marketId">Betfair market id.</param>
    /// <param name="window">Snapshot time window; open ends cover the whole history.</param>
    /// <param name="bucket">Bucket length, positive.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<IReadOnlyList<MetricPointRow>?> GetTimeseriesAsync(
        string marketId,
        TimeWindow window,
        TimeSpan bucket,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(marketId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bucket, TimeSpan.Zero);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var points = (await connection.QueryAsync<MetricPointRow>(DbReading.Command(
            TimeseriesSql,
            [
                DbReading.Parameter("market_id", NpgsqlDbType.Text, marketId),
                DbReading.Parameter("bucket", NpgsqlDbType.Interval, bucket),
                DbReading.Timestamp("from", window.From),
                DbReading.Timestamp("to", window.To),
            ],
            cancellationToken))).AsList();

        // Only an empty answer needs telling "unknown market" from "no snapshots in the window".
        if (points.Count == 0 && !await ExistsAsync(connection, marketId, cancellationToken))
        {
            return null;
        }

        return points;
    }

    /// <summary>The market's metadata row with its snapshot count and extent; null when the market is unknown.</summary>
    /// <param name="marketId">Betfair market id.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<MarketDetailRow?> GetDetailAsync(string marketId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(marketId);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<MarketDetailRow>(DbReading.Command(
            DetailSql, [DbReading.Parameter("market_id", NpgsqlDbType.Text, marketId)], cancellationToken));
    }

    /// <summary>The market's newest snapshot with its raw payload; null when the market has no snapshot.</summary>
    /// <param name="marketId">Betfair market id.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<RawSnapshotRow?> GetLatestRawAsync(string marketId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(marketId);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<RawSnapshotRow>(DbReading.Command(
            LatestRawSql, [DbReading.Parameter("market_id", NpgsqlDbType.Text, marketId)], cancellationToken));
    }

    /// <summary>Whether the market has a metadata row.</summary>
    /// <param name="marketId">Betfair market id.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<bool> ExistsAsync(string marketId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(marketId);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ExistsAsync(connection, marketId, cancellationToken);
    }

    private static Task<bool> ExistsAsync(NpgsqlConnection connection, string marketId, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<bool>(DbReading.Command(
            MarketExistsSql, [DbReading.Parameter("market_id", NpgsqlDbType.Text, marketId)], cancellationToken));
}

using Dapper;
using NetBet.Core.Metrics;
using Npgsql;
using NpgsqlTypes;
using NetBet.Data.State;

namespace NetBet.Data.Queries;

/// <summary>Read queries behind <c>/api/events/{market_id}</c>: metadata, the bucketed timeseries and the newest raw book.</summary>
public sealed class MarketQueries(NpgsqlDataSource dataSource)
{
    // The DISTINCT ON runs over market_book_snapshots alone, walking the (market_id, snapshot_at) unique index, and
    // only the chosen snapshots are joined to their metrics. A snapshot without a derived row (the engine skipped
    // it) still yields a point, with every metric null. The metrics are a LATERAL primary-key lookup per point: a
    // plain join let the planner hash the whole market_derived_metrics table to join a few hundred rows. The lookup
    // is by (market_id, snapshot_at), the key that includes the partition key, so each probes one month.
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
               {{MetricSql.Columns}}
        from picked p
        left join lateral (
          select * from market_derived_metrics m where m.market_id = @market_id and m.snapshot_at = p.snapshot_at limit 1
        ) d on true
        order by p.snapshot_at
        limit @max_rows
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

    // Served by the (market_id, snapshot_at) keys of both tables, partitioned or not. The derived row's xmin changes
    // when a backfill fills its columns: the backfill walks snapshot ids upwards, so the newest row of a market is
    // updated after its older ones, and a version keyed on it changes once the whole market has been filled.
    // The derived row is a subquery on the one chosen snapshot, so it is a single key lookup: as a join, the planner
    // may read every derived row of the market before the LIMIT.
    private const string NewestSnapshotSql = """
        select n.snapshot_id, n.snapshot_at, n.status,
               (select d.xmin::text from market_derived_metrics d
                where d.market_id = n.market_id and d.snapshot_at = n.snapshot_at) as derived_version,
               (select g.value #>> '{}' from service_state g where g.key = @history_key) as history_version
        from (
          select s.market_id, s.snapshot_id, s.snapshot_at, s.status
          from market_book_snapshots s
          where s.market_id = @market_id
          order by s.snapshot_at desc
          limit 1
        ) n
        """;

    /// <summary>
    /// The last snapshot of each <paramref name="bucket"/>-long bucket of the window, oldest first, with its derived
    /// metrics; null when the market is unknown. Buckets are aligned on 2000-01-01 00:00 UTC.
    /// </summary>
    /// <param name="marketId">Betfair market id.</param>
    /// <param name="window">Snapshot time window; open ends cover the whole history.</param>
    /// <param name="bucket">Bucket length, positive.</param>
    /// <param name="maxPoints">
    /// Reads at most one point more than this, so a caller learns that the answer would exceed it (Count &gt;
    /// maxPoints) without holding all of it; null reads every point.
    /// </param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<IReadOnlyList<MetricPointRow>?> GetTimeseriesAsync(
        string marketId,
        TimeWindow window,
        TimeSpan bucket,
        int? maxPoints,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(marketId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bucket, TimeSpan.Zero);

        // Hand-mapped on purpose, the one read that is: on the 1,440-point timeseries the Dapper mapping (with the
        // metric array it needs) measured slower than this reader in `bench api` (median Data read 22 vs 17 ms over
        // four interleaved rounds, web app CPU per request +6 %; see README, Performance), above the 5 % we accept.
        // The column list is still Core's (MetricSql.Columns) and the metric ordinals are looked up by name.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var points = new List<MetricPointRow>();
        await using (var command = new NpgsqlCommand(TimeseriesSql, connection))
        {
            command.Parameters.Add(DbReading.Parameter("market_id", NpgsqlDbType.Text, marketId));
            command.Parameters.Add(DbReading.Parameter("bucket", NpgsqlDbType.Interval, bucket));
            command.Parameters.Add(DbReading.Timestamp("from", window.From));
            command.Parameters.Add(DbReading.Timestamp("to", window.To));
            command.Parameters.Add(DbReading.Parameter("max_rows", NpgsqlDbType.Bigint, maxPoints + 1L));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var metrics = MetricColumns.Names.Select(reader.GetOrdinal).ToArray();
            while (await reader.ReadAsync(cancellationToken))
            {
                var values = new double?[metrics.Length];
                for (var i = 0; i < metrics.Length; i++)
                {
                    values[i] = reader.IsDBNull(metrics[i]) ? null : reader.GetDouble(metrics[i]);
                }

                points.Add(new MetricPointRow
                {
                    SnapshotId = reader.GetInt64(0),
                    SnapshotAt = reader.GetFieldValue<DateTimeOffset>(1),
                    Inplay = reader.IsDBNull(2) ? null : reader.GetBoolean(2),
                    Status = reader.IsDBNull(3) ? null : reader.GetString(3),
                    HasDerivedRow = reader.GetBoolean(4),
                    Metrics = values,
                });
            }
        }

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

    /// <summary>
    /// The market's newest snapshot (by <c>snapshot_at</c>) with the row version of its derived metrics, the cheap
    /// validator of anything served from the market's history; null when the market has no snapshot.
    /// </summary>
    /// <param name="marketId">Betfair market id.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<NewestSnapshotRow?> GetNewestSnapshotAsync(string marketId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(marketId);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<NewestSnapshotRow>(DbReading.Command(
            NewestSnapshotSql,
            [DbReading.Parameter("market_id", NpgsqlDbType.Text, marketId), DbReading.Parameter("history_key", NpgsqlDbType.Text, HistoryGeneration.Key)],
            cancellationToken));
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

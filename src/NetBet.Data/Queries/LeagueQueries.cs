using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace NetBet.Data.Queries;

/// <summary>
/// Read queries behind <c>/api/leagues</c>: competitions with their market counts, and the markets of one
/// competition with their latest snapshot state and latest derived metrics. Windows filter on
/// <c>market_start_time</c>; markets without a start time fall outside every window. The latest snapshot state comes
/// from <c>market_latest_state</c>, which the writers keep in the snapshot's own transaction, so a page costs the
/// markets in the window, not the markets times the month partitions they have snapshots in.
/// </summary>
public sealed class LeagueQueries(NpgsqlDataSource dataSource)
{
    /// <summary>The league key of markets that have neither a competition id nor a competition name.</summary>
    public const string UnknownLeague = "unknown";

    // Both queries join each market's latest snapshot state as `ls`: from market_latest_state, or, on a database
    // not migrated to it yet, looked up per market (same answers, the slower way).
    private static readonly string ListLeaguesSql = LeaguesSql(MetricSql.LatestStateJoin);

    private static readonly string ListLeaguesLateralSql = LeaguesSql(MetricSql.LatestSnapshotLateral);

    private static readonly string ListEventsSql = EventsSql(MetricSql.LatestStateJoin);

    private static readonly string ListEventsLateralSql = EventsSql(MetricSql.LatestSnapshotLateral);

    private static string LeaguesSql(string latestJoin) => $$"""
        with markets as (
          select {{MetricSql.LeagueKey}} as league,
                 nullif(btrim(m.competition_id), '') as competition_id,
                 {{MetricSql.CompetitionName}} as competition_name,
                 m.country_code,
                 m.market_start_time,
                 ls.inplay
          from market_event_metadata m
          {{latestJoin}}
          where m.market_start_time >= coalesce(@from, '-infinity'::timestamptz)
            and m.market_start_time < coalesce(@to, 'infinity'::timestamptz)
            and (@include_in_play or ls.inplay is not true)
            and (@name_pattern is null or {{MetricSql.CompetitionName}} ilike @name_pattern escape '\')
        ),
        leagues as (
          select league,
                 min(competition_id) as competition_id,
                 min(competition_name) as competition_name,
                 min(country_code) as country_code,
                 count(*) as event_count,
                 count(*) filter (where inplay) as in_play_count,
                 min(market_start_time) as first_start_time,
                 max(market_start_time) as last_start_time
          from markets
          group by league
        )
        select league, competition_id, competition_name, country_code, event_count, in_play_count,
               first_start_time, last_start_time, count(*) over () as total
        from leagues
        order by competition_name, league
        limit @limit offset @offset
        """;

    private const string LeagueNamesSql = $$"""
        select min(nullif(btrim(m.competition_id), '')) as competition_id,
               min({{MetricSql.CompetitionName}}) as competition_name
        from market_event_metadata m
        where {{MetricSql.LeagueKey}} = @league
        having count(*) > 0
        """;

    // The page is chosen on metadata and market_latest_state alone; only its rows then look up their latest derived
    // row, first at the latest snapshot's key (one partition, pruned at run time), and only when that snapshot has
    // none, the newest older one (derived rows reference their snapshot, so none is newer than the latest snapshot).
    private static string EventsSql(string latestJoin) => $$"""
        with page as (
          select m.market_id, m.market_name, m.event_name,
                 m.home_runner_name, m.away_runner_name, m.draw_runner_name, m.market_start_time,
                 ls.inplay, ls.status, ls.snapshot_at as latest_snapshot_at,
                 count(*) over () as total
          from market_event_metadata m
          {{latestJoin}}
          where {{MetricSql.LeagueKey}} = @league
            and m.market_start_time >= coalesce(@from, '-infinity'::timestamptz)
            and m.market_start_time < coalesce(@to, 'infinity'::timestamptz)
            and (@include_in_play or ls.inplay is not true)
          order by m.market_start_time, m.market_id
          limit @limit offset @offset
        )
        select p.market_id, p.market_name, p.event_name,
               p.home_runner_name, p.away_runner_name, p.draw_runner_name, p.market_start_time,
               p.inplay, p.status, p.latest_snapshot_at,
               d.snapshot_at as latest_metrics_at,
               case when d.snapshot_id is not null then {{MetricSql.Array}} end as latest_metrics,
               p.total
        from page p
        left join lateral (
          (select *
           from market_derived_metrics d
           where d.market_id = p.market_id and d.snapshot_at = p.latest_snapshot_at)
          union all
          (select *
           from market_derived_metrics d
           where d.market_id = p.market_id and d.snapshot_at < p.latest_snapshot_at
           order by d.snapshot_at desc
           limit 1)
          limit 1
        ) d on true
        order by p.market_start_time, p.market_id
        """;

    /// <summary>
    /// Competitions with markets starting in <paramref name="window"/>, ordered by name. <paramref name="nameContains"/>
    /// matches the competition name case-insensitively, as plain text (<c>%</c> and <c>_</c> are not wildcards).
    /// </summary>
    /// <param name="window">Start-time window of the counted markets.</param>
    /// <param name="nameContains">Text the competition name must contain, or null.</param>
    /// <param name="includeInPlay">False leaves out markets whose latest snapshot is in play.</param>
    /// <param name="limit">Page size, at least 1.</param>
    /// <param name="offset">Rows to skip, at least 0.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<QueryPage<LeagueRow>> ListLeaguesAsync(
        TimeWindow window,
        string? nameContains,
        bool includeInPlay,
        int limit,
        int offset,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var pattern = string.IsNullOrEmpty(nameContains) ? null : $"%{EscapeLike(nameContains)}%";

        var page = await ReadLeaguesAsync(window, pattern, includeInPlay, limit, offset, cancellationToken);
        if (page.Items.Count == 0 && offset > 0)
        {
            // Past the last page the window count has no row to ride on; ask for the first row to learn the total.
            var first = await ReadLeaguesAsync(window, pattern, includeInPlay, 1, 0, cancellationToken);
            return page with { Total = first.Total };
        }

        return page;
    }

    /// <summary>
    /// The markets of league <paramref name="league"/> starting in <paramref name="window"/>, ordered by start time;
    /// null when no market at all (in any window) has this league key.
    /// </summary>
    /// <param name="league">A league key as <see cref="ListLeaguesAsync"/> returns it.</param>
    /// <param name="window">Start-time window of the markets.</param>
    /// <param name="includeInPlay">False leaves out markets whose latest snapshot is in play.</param>
    /// <param name="limit">Page size, at least 1.</param>
    /// <param name="offset">Rows to skip, at least 0.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<LeagueEventsPage?> ListEventsAsync(
        string league,
        TimeWindow window,
        bool includeInPlay,
        int limit,
        int offset,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(league);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var names = await connection.QuerySingleOrDefaultAsync<LeagueNames>(DbReading.Command(
            LeagueNamesSql, [DbReading.Parameter("league", NpgsqlDbType.Text, league)], cancellationToken));
        if (names is null)
        {
            return null;
        }

        var events = await ReadEventsAsync(connection, league, window, includeInPlay, limit, offset, cancellationToken);
        if (events.Items.Count == 0 && offset > 0)
        {
            var first = await ReadEventsAsync(connection, league, window, includeInPlay, 1, 0, cancellationToken);
            events = events with { Total = first.Total };
        }

        return new LeagueEventsPage(league, names.CompetitionId, names.CompetitionName, events);
    }

    /// <summary>Escapes <c>\</c>, <c>%</c> and <c>_</c> for a LIKE pattern with <c>escape '\'</c>.</summary>
    internal static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal);

    private async Task<QueryPage<LeagueRow>> ReadLeaguesAsync(
        TimeWindow window,
        string? pattern,
        bool includeInPlay,
        int limit,
        int offset,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ReadPageAsync<LeagueRow>(
            connection,
            ListLeaguesSql,
            ListLeaguesLateralSql,
            () => [
                DbReading.Timestamp("from", window.From),
                DbReading.Timestamp("to", window.To),
                DbReading.Parameter("include_in_play", NpgsqlDbType.Boolean, includeInPlay),
                DbReading.Parameter("name_pattern", NpgsqlDbType.Text, pattern),
                DbReading.Parameter("limit", NpgsqlDbType.Integer, limit),
                DbReading.Parameter("offset", NpgsqlDbType.Integer, offset),
            ],
            cancellationToken);
    }

    private static Task<QueryPage<LeagueEventRow>> ReadEventsAsync(
        NpgsqlConnection connection,
        string league,
        TimeWindow window,
        bool includeInPlay,
        int limit,
        int offset,
        CancellationToken cancellationToken) =>
        ReadPageAsync<LeagueEventRow>(
            connection,
            ListEventsSql,
            ListEventsLateralSql,
            () => [
                DbReading.Parameter("league", NpgsqlDbType.Text, league),
                DbReading.Timestamp("from", window.From),
                DbReading.Timestamp("to", window.To),
                DbReading.Parameter("include_in_play", NpgsqlDbType.Boolean, includeInPlay),
                DbReading.Parameter("limit", NpgsqlDbType.Integer, limit),
                DbReading.Parameter("offset", NpgsqlDbType.Integer, offset),
            ],
            cancellationToken);

    /// <summary>
    /// One page of rows whose statement also selects <c>count(*) over () as total</c>: Dapper maps each row to
    /// <typeparamref name="T"/> (which ignores <c>total</c>) and, once more, to the total it rides on. On a database
    /// without <c>market_latest_state</c> (not migrated yet), <paramref name="lateralSql"/> answers instead.
    /// </summary>
    private static async Task<QueryPage<T>> ReadPageAsync<T>(
        NpgsqlConnection connection,
        string sql,
        string lateralSql,
        Func<NpgsqlParameter[]> parameters,
        CancellationToken cancellationToken)
    {
        try
        {
            return await ReadPageAsync<T>(connection, sql, parameters(), cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable && e.MessageText.Contains("market_latest_state", StringComparison.Ordinal))
        {
            return await ReadPageAsync<T>(connection, lateralSql, parameters(), cancellationToken);
        }
    }

    private static async Task<QueryPage<T>> ReadPageAsync<T>(
        NpgsqlConnection connection,
        string sql,
        NpgsqlParameter[] parameters,
        CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        long total = 0;
        await using var reader = await connection.ExecuteReaderAsync(DbReading.Command(sql, parameters, cancellationToken));
        var parseRow = reader.GetRowParser<T>();
        var parseTotal = reader.GetRowParser<long>(startIndex: reader.GetOrdinal("total"));
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(parseRow(reader));
            total = parseTotal(reader);
        }

        return new QueryPage<T>(total, rows);
    }
}

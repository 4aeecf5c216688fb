using Npgsql;
using NpgsqlTypes;

namespace NetBet.Data.Queries;

/// <summary>
/// Read queries behind <c>/api/leagues</c>: competitions with their market counts, and the markets of one
/// competition with their latest snapshot state and latest derived metrics. Windows filter on
/// <c>market_start_time</c>; markets without a start time fall outside every window.
/// </summary>
public sealed class LeagueQueries(NpgsqlDataSource dataSource)
{
    /// <summary>The league key of markets that have neither a competition id nor a competition name.</summary>
    public const string UnknownLeague = "unknown";

    private const string ListLeaguesSql = $$"""
        with markets as (
          select {{MetricSql.LeagueKey}} as league,
                 nullif(btrim(m.competition_id), '') as competition_id,
                 {{MetricSql.CompetitionName}} as competition_name,
                 m.country_code,
                 m.market_start_time,
                 ls.inplay
          from market_event_metadata m
          {{MetricSql.LatestSnapshotLateral}}
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

    private const string ListEventsSql = $$"""
        select m.market_id, m.market_name, m.event_name,
               nullif(btrim(m.competition_id), '') as competition_id, {{MetricSql.CompetitionName}} as competition_name,
               m.home_runner_name, m.away_runner_name, m.draw_runner_name, m.market_start_time,
               ls.inplay, ls.status, ls.snapshot_at as latest_snapshot_at,
               d.snapshot_at as latest_metrics_at, d.snapshot_id is not null as has_metrics,
               {{MetricSql.Columns}},
               count(*) over () as total
        from market_event_metadata m
        {{MetricSql.LatestSnapshotLateral}}
        left join lateral (
          select *
          from market_derived_metrics d
          where d.market_id = m.market_id
          order by d.snapshot_at desc
          limit 1
        ) d on true
        where {{MetricSql.LeagueKey}} = @league
          and m.market_start_time >= coalesce(@from, '-infinity'::timestamptz)
          and m.market_start_time < coalesce(@to, 'infinity'::timestamptz)
          and (@include_in_play or ls.inplay is not true)
        order by m.market_start_time, m.market_id
        limit @limit offset @offset
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
        string? competitionId;
        string competitionName;
        await using (var command = new NpgsqlCommand(LeagueNamesSql, connection))
        {
            command.Parameters.Add(DbReading.Parameter("league", NpgsqlDbType.Text, league));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            competitionId = reader.GetStringOrNull(0);
            competitionName = reader.GetString(1);
        }

        var events = await ReadEventsAsync(connection, league, window, includeInPlay, limit, offset, cancellationToken);
        if (events.Items.Count == 0 && offset > 0)
        {
            var first = await ReadEventsAsync(connection, league, window, includeInPlay, 1, 0, cancellationToken);
            events = events with { Total = first.Total };
        }

        return new LeagueEventsPage(league, competitionId, competitionName, events);
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
        await using var command = dataSource.CreateCommand(ListLeaguesSql);
        command.Parameters.Add(DbReading.Timestamp("from", window.From));
        command.Parameters.Add(DbReading.Timestamp("to", window.To));
        command.Parameters.Add(DbReading.Parameter("include_in_play", NpgsqlDbType.Boolean, includeInPlay));
        command.Parameters.Add(DbReading.Parameter("name_pattern", NpgsqlDbType.Text, pattern));
        command.Parameters.Add(DbReading.Parameter("limit", NpgsqlDbType.Integer, limit));
        command.Parameters.Add(DbReading.Parameter("offset", NpgsqlDbType.Integer, offset));

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<LeagueRow>();
        long total = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new LeagueRow(
                League: reader.GetString(0),
                CompetitionId: reader.GetStringOrNull(1),
                CompetitionName: reader.GetString(2),
                CountryCode: reader.GetStringOrNull(3),
                EventCount: reader.GetInt64(4),
                InPlayCount: reader.GetInt64(5),
                FirstStartTime: reader.GetTimestampOrNull(6),
                LastStartTime: reader.GetTimestampOrNull(7)));
            total = reader.GetInt64(8);
        }

        return new QueryPage<LeagueRow>(total, rows);
    }

    private static async Task<QueryPage<LeagueEventRow>> ReadEventsAsync(
        NpgsqlConnection connection,
        string league,
        TimeWindow window,
        bool includeInPlay,
        int limit,
        int offset,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(ListEventsSql, connection);
        command.Parameters.Add(DbReading.Parameter("league", NpgsqlDbType.Text, league));
        command.Parameters.Add(DbReading.Timestamp("from", window.From));
        command.Parameters.Add(DbReading.Timestamp("to", window.To));
        command.Parameters.Add(DbReading.Parameter("include_in_play", NpgsqlDbType.Boolean, includeInPlay));
        command.Parameters.Add(DbReading.Parameter("limit", NpgsqlDbType.Integer, limit));
        command.Parameters.Add(DbReading.Parameter("offset", NpgsqlDbType.Integer, offset));

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var metricOrdinals = reader.MetricOrdinals();
        var hasMetrics = reader.GetOrdinal("has_metrics");
        var totalOrdinal = reader.GetOrdinal("total");
        var rows = new List<LeagueEventRow>();
        long total = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new LeagueEventRow(
                MarketId: reader.GetString(0),
                MarketName: reader.GetStringOrNull(1),
                EventName: reader.GetStringOrNull(2),
                CompetitionId: reader.GetStringOrNull(3),
                CompetitionName: reader.GetStringOrNull(4),
                HomeRunnerName: reader.GetStringOrNull(5),
                AwayRunnerName: reader.GetStringOrNull(6),
                DrawRunnerName: reader.GetStringOrNull(7),
                MarketStartTime: reader.GetTimestampOrNull(8),
                Inplay: reader.GetBooleanOrNull(9),
                Status: reader.GetStringOrNull(10),
                LatestSnapshotAt: reader.GetTimestampOrNull(11),
                LatestMetricsAt: reader.GetTimestampOrNull(12),
                LatestMetrics: reader.GetBoolean(hasMetrics) ? reader.GetMetrics(metricOrdinals) : null));
            total = reader.GetInt64(totalOrdinal);
        }

        return new QueryPage<LeagueEventRow>(total, rows);
    }
}

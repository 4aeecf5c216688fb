using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Data.Queries;
using NetBet.Data.Snapshots;
using NetBet.Data.Tests.Snapshots;
using Npgsql;
using NpgsqlTypes;

namespace NetBet.Data.Tests.Queries;

/// <summary>
/// The league queries read <c>market_latest_state</c>; they must answer exactly what the per-market lateral lookups
/// they replaced answer (kept here as the reference), on data with the awkward cases: snapshots written out of order
/// and over several months, a newest snapshot without a derived row, markets without snapshots, in-play markets.
/// </summary>
public sealed class LeagueQueriesTests(ClassDatabase database) : IClassFixture<ClassDatabase>, IAsyncLifetime
{
    private static readonly DateTimeOffset Kickoff = new(2026, 3, 14, 15, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The queries as they were before market_latest_state: every market's newest snapshot and derived row looked up
    // per market in every month.
    private static readonly string ReferenceLeaguesSql = $$"""
        with markets as (
          select {{MetricSql.LeagueKey}} as league,
                 nullif(btrim(m.competition_id), '') as competition_id,
                 {{MetricSql.CompetitionName}} as competition_name,
                 m.country_code, m.market_start_time, ls.inplay
          from market_event_metadata m
          {{MetricSql.LatestSnapshotLateral}}
          where m.market_start_time >= coalesce(@from, '-infinity'::timestamptz)
            and m.market_start_time < coalesce(@to, 'infinity'::timestamptz)
            and (@include_in_play or ls.inplay is not true)
            and (@name_pattern is null or {{MetricSql.CompetitionName}} ilike @name_pattern escape '\')
        ),
        leagues as (
          select league, min(competition_id) as competition_id, min(competition_name) as competition_name,
                 min(country_code) as country_code, count(*) as event_count, count(*) filter (where inplay) as in_play_count,
                 min(market_start_time) as first_start_time, max(market_start_time) as last_start_time
          from markets group by league
        )
        select league, competition_id, competition_name, country_code, event_count, in_play_count,
               first_start_time, last_start_time, count(*) over () as total
        from leagues order by competition_name, league limit @limit offset @offset
        """;

    private static readonly string ReferenceEventsSql = $$"""
        select m.market_id, m.market_name, m.event_name,
               m.home_runner_name, m.away_runner_name, m.draw_runner_name, m.market_start_time,
               ls.inplay, ls.status, ls.snapshot_at as latest_snapshot_at,
               d.snapshot_at as latest_metrics_at,
               case when d.snapshot_id is not null then {{MetricSql.Array}} end as latest_metrics,
               count(*) over () as total
        from market_event_metadata m
        {{MetricSql.LatestSnapshotLateral}}
        left join lateral (
          select * from market_derived_metrics d where d.market_id = m.market_id order by d.snapshot_at desc limit 1
        ) d on true
        where {{MetricSql.LeagueKey}} = @league
          and m.market_start_time >= coalesce(@from, '-infinity'::timestamptz)
          and m.market_start_time < coalesce(@to, 'infinity'::timestamptz)
          and (@include_in_play or ls.inplay is not true)
        order by m.market_start_time, m.market_id
        limit @limit offset @offset
        """;

    private static readonly TimeWindow[] Windows =
    [
        new(null, null),
        new(Kickoff.AddDays(-1), Kickoff.AddDays(2)),
        new(Kickoff.AddDays(1), Kickoff.AddDays(30)),
    ];

    private static readonly (int Limit, int Offset)[] Pages = [(100, 0), (2, 1), (1, 0), (3, 50)];

    public async ValueTask InitializeAsync()
    {
        var writer = new SnapshotWriter(database.DataSource, NullLogger<SnapshotWriter>.Instance);
        var metadata = new List<MarketMetadata>();
        var snapshots = new List<SnapshotRecord>();
        MarketMetadata Market(string id, string? competitionId, string? competitionName, DateTimeOffset? start) =>
            TestSnapshots.Metadata(id) with { CompetitionId = competitionId, CompetitionName = competitionName, MarketStartTime = start };

        for (var i = 0; i < 12; i++)
        {
            var id = TestSnapshots.NewMarketId();
            var (competitionId, name) = (i % 4) switch
            {
                0 => ("501", "Premier Test League"),
                1 => ((string?)null, "Cup 50% Off"),
                2 => (" ", (string?)null),
                _ => ("777", "Serie Test"),
            };
            metadata.Add(Market(id, competitionId, name, i == 11 ? null : Kickoff.AddHours(i * 7)));
            var kind = i % 6;
            if (kind == 0)
            {
                continue; // catalogued, never polled
            }

            // Snapshots over two months; in play from the third for the odd markets; the newest without a derived
            // row for kind 2; none with a derived row for kind 3.
            for (var k = 0; k < 5; k++)
            {
                var at = Kickoff.AddMonths(-1).AddDays(k * 8).AddMinutes(i);
                snapshots.Add(TestSnapshots.Snapshot(id, (i * 10) + k, derived: kind != 3 && !(kind == 2 && k == 4)) with
                {
                    SnapshotAt = at,
                    Inplay = i % 2 == 1 && k >= 2,
                    Status = k == 4 ? "SUSPENDED" : "OPEN",
                });
            }
        }

        await writer.WriteAsync(new SnapshotBatch(metadata, [.. snapshots.Where((_, n) => n % 5 != 4)]), Ct);
        // The newest of each market, stored after older ones, then older history imported after that.
        await writer.WriteAsync(new SnapshotBatch([.. snapshots.Where((_, n) => n % 5 == 4)]), Ct);
        await writer.WriteAsync(new SnapshotBatch([.. snapshots.Where((_, n) => n % 5 == 4).Select(s => TestSnapshots.Snapshot(s.MarketId, 3) with { SnapshotAt = Kickoff.AddMonths(-3) })]), Ct);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task ListLeaguesAsync_EveryWindowFilterAndPage_AnswersAsTheLateralLookups()
    {
        var queries = new LeagueQueries(database.DataSource);
        var compared = 0;
        foreach (var window in Windows)
        {
            foreach (var includeInPlay in new[] { true, false })
            {
                foreach (var q in new[] { null, "test", "50%" })
                {
                    foreach (var (limit, offset) in Pages)
                    {
                        var actual = await queries.ListLeaguesAsync(window, q, includeInPlay, limit, offset, Ct);
                        var expected = await ReferenceAsync<LeagueRow>(ReferenceLeaguesSql, window, includeInPlay, limit, offset, "name_pattern", q is null ? null : $"%{LeagueQueries.EscapeLike(q)}%");
                        Assert.Equal(Json(expected.Items), Json(actual.Items));
                        if (actual.Items.Count > 0)
                        {
                            Assert.Equal(expected.Total, actual.Total);
                        }

                        compared += actual.Items.Count;
                    }
                }
            }
        }

        Assert.True(compared > 50, $"only {compared} rows compared");
    }

    [Fact]
    public async Task ListEventsAsync_EveryLeagueWindowAndPage_AnswersAsTheLateralLookups()
    {
        var queries = new LeagueQueries(database.DataSource);
        var compared = 0;
        var withFallbackMetrics = 0;
        foreach (var league in new[] { "501", "cup-50-off", "unknown", "777" })
        {
            foreach (var window in Windows)
            {
                foreach (var includeInPlay in new[] { true, false })
                {
                    foreach (var (limit, offset) in Pages)
                    {
                        var actual = (await queries.ListEventsAsync(league, window, includeInPlay, limit, offset, Ct))!.Events;
                        var expected = await ReferenceAsync<LeagueEventRow>(ReferenceEventsSql, window, includeInPlay, limit, offset, "league", league);
                        Assert.Equal(Json(expected.Items), Json(actual.Items));
                        if (actual.Items.Count > 0)
                        {
                            Assert.Equal(expected.Total, actual.Total);
                        }

                        compared += actual.Items.Count;
                        withFallbackMetrics += actual.Items.Count(r => r.LatestMetricsAt is { } m && m != r.LatestSnapshotAt);
                    }
                }
            }
        }

        Assert.True(compared > 50, $"only {compared} rows compared");
        Assert.True(withFallbackMetrics > 0, "no market whose newest snapshot lacks a derived row was compared");
    }

    private static string Json<T>(IReadOnlyList<T> rows) => JsonSerializer.Serialize(rows);

    private async Task<QueryPage<T>> ReferenceAsync<T>(
        string sql, TimeWindow window, bool includeInPlay, int limit, int offset, string textName, string? text)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(Ct);
        await using var reader = await connection.ExecuteReaderAsync(DbReading.Command(
            sql,
            [
                DbReading.Timestamp("from", window.From),
                DbReading.Timestamp("to", window.To),
                DbReading.Parameter("include_in_play", NpgsqlDbType.Boolean, includeInPlay),
                DbReading.Parameter(textName, NpgsqlDbType.Text, text),
                DbReading.Parameter("limit", NpgsqlDbType.Integer, limit),
                DbReading.Parameter("offset", NpgsqlDbType.Integer, offset),
            ],
            Ct));
        var rows = new List<T>();
        long total = 0;
        var parseRow = reader.GetRowParser<T>();
        var parseTotal = reader.GetRowParser<long>(startIndex: reader.GetOrdinal("total"));
        while (await reader.ReadAsync(Ct))
        {
            rows.Add(parseRow(reader));
            total = parseTotal(reader);
        }

        return new QueryPage<T>(total, rows);
    }
}

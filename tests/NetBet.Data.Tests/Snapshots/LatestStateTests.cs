using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Data.Archive;
using NetBet.Data.Migrations;
using NetBet.Data.Partitions;
using NetBet.Data.Queries;
using NetBet.Data.Snapshots;
using NetBet.Data.Tests.Backfill;
using Npgsql;

namespace NetBet.Data.Tests.Snapshots;

/// <summary>
/// <c>market_latest_state</c> holds each market's newest snapshot whatever the order and concurrency of the writes,
/// from the migration's fill of existing data on, and through archive and restore of a month.
/// </summary>
public sealed class LatestStateTests(DatabaseFixture fixture)
{
    public const string LatestStateMigration = "2026-12-01_add_market_latest_state";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // What the table must hold: every market's snapshot with the greatest snapshot_at, looked up the slow way.
    private const string TruthSql = """
        select to_jsonb(t)::text from (
          select m.market_id, s.snapshot_id, s.snapshot_at, s.inplay, s.status, s.total_matched
          from market_event_metadata m
          join lateral (
            select * from market_book_snapshots s where s.market_id = m.market_id order by s.snapshot_at desc limit 1
          ) s on true
          order by m.market_id
        ) t
        """;

    private const string StateSql = """
        select to_jsonb(t)::text from (
          select market_id, snapshot_id, snapshot_at, inplay, status, total_matched from market_latest_state order by market_id
        ) t
        """;

    [Fact]
    public void Catalog_LatestStateMigration_SortsAfterThePartitioning()
    {
        var ids = MigrationCatalog.All.Select(m => m.Id).ToList();
        Assert.True(ids.IndexOf(LatestStateMigration) > ids.IndexOf("2026-11-30_partition_by_month"));
    }

    [Fact]
    public async Task WriteAsync_OlderSnapshotWrittenLater_KeepsTheNewest()
    {
        await using var db = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: true, Ct));
        var writer = Writer(db);
        var market = TestSnapshots.NewMarketId();
        await writer.WriteAsync(new SnapshotBatch([TestSnapshots.Metadata(market)], [TestSnapshots.Snapshot(market, 10) with { Status = "SUSPENDED", Inplay = true }]), Ct);

        // Imported afterwards: older history of the same market, one of it in an earlier month.
        await writer.WriteAsync(
            new SnapshotBatch([TestSnapshots.Snapshot(market, 3), TestSnapshots.Snapshot(market, 1) with { SnapshotAt = TestSnapshots.Start.AddMonths(-1) }]),
            Ct);

        var state = await StateAsync(db, market);
        Assert.Equal((TestSnapshots.Start.AddSeconds(10), "SUSPENDED", true), (state.SnapshotAt, state.Status, state.Inplay));
        Assert.Equal(await TruthAsync(db), await RowsAsync(db, StateSql));

        // A newer one moves it; a batch holding several of a market's snapshots keeps its newest.
        await writer.WriteAsync(new SnapshotBatch([TestSnapshots.Snapshot(market, 12), TestSnapshots.Snapshot(market, 20) with { Status = "CLOSED" }, TestSnapshots.Snapshot(market, 11)]), Ct);
        state = await StateAsync(db, market);
        Assert.Equal((TestSnapshots.Start.AddSeconds(20), "CLOSED"), (state.SnapshotAt, state.Status));
        Assert.Equal(await TruthAsync(db), await RowsAsync(db, StateSql));
    }

    [Fact]
    public async Task WriteAsync_MetadataOnlyAndSnapshotsWithoutDerivedRows_StateOnlyForMarketsWithASnapshot()
    {
        await using var db = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: true, Ct));
        var (catalogued, bare) = (TestSnapshots.NewMarketId(), TestSnapshots.NewMarketId());

        await Writer(db).WriteAsync(
            new SnapshotBatch([TestSnapshots.Metadata(catalogued), TestSnapshots.Metadata(bare)], [TestSnapshots.Snapshot(bare, 4, derived: false)]),
            Ct);

        await using var connection = await db.OpenConnectionAsync(Ct);
        Assert.Equal([bare], await connection.QueryAsync<string>("select market_id from market_latest_state"));
        Assert.Equal(await TruthAsync(db), await RowsAsync(db, StateSql));
    }

    [Fact]
    public async Task WriteAsync_TwoWritersOnTheSameMarketsInOppositeOrders_NeverDeadlockAndKeepTheNewest()
    {
        await using var db = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: true, Ct));
        var markets = Enumerable.Range(0, 40).Select(_ => TestSnapshots.NewMarketId()).ToArray();
        await Writer(db).WriteAsync(new SnapshotBatch([.. markets.Select(TestSnapshots.Metadata)], []), Ct);

        // Each round both writers store every market, with metadata, one ascending and one descending; their times
        // interleave, so each one's batch is sometimes newer and sometimes older than what the other just stored.
        async Task WriteRoundsAsync(SnapshotWriter writer, string[] order, int offsetSeconds)
        {
            for (var round = 0; round < 15; round++)
            {
                var at = TestSnapshots.Start.AddSeconds((round * 2) + offsetSeconds);
                await writer.WriteAsync(
                    new SnapshotBatch(
                        [.. order.Select(TestSnapshots.Metadata)],
                        [.. order.Select((m, i) => TestSnapshots.Snapshot(m, round + i, derived: i % 3 != 0) with { SnapshotAt = at, Status = offsetSeconds == 0 ? "OPEN" : "SUSPENDED" })]),
                    Ct);
            }
        }

        await Task.WhenAll(
            Task.Run(() => WriteRoundsAsync(Writer(db), markets, 1), Ct),
            Task.Run(() => WriteRoundsAsync(Writer(db), [.. markets.Reverse()], 0), Ct));

        var truth = await TruthAsync(db);
        Assert.Equal(markets.Length, truth.Count);
        Assert.Equal(truth, await RowsAsync(db, StateSql));
        Assert.Equal(["SUSPENDED"], await RowsAsync(db, "select distinct status from market_latest_state"));
    }

    [Fact]
    public async Task Migrate_PopulatedDatabase_FillsEveryMarketsNewestAndAWriterStartedBeforeItKeepsItUp()
    {
        await using var db = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: false, Ct));
        await BackfillSeed.MigrateAsync(db, "2026-11-30_partition_by_month", Ct);
        var writer = Writer(db);
        var (early, late, catalogued) = (TestSnapshots.NewMarketId(), TestSnapshots.NewMarketId(), TestSnapshots.NewMarketId());
        await writer.WriteAsync(
            new SnapshotBatch(
                [TestSnapshots.Metadata(early), TestSnapshots.Metadata(late), TestSnapshots.Metadata(catalogued)],
                [
                    TestSnapshots.Snapshot(early, 5) with { SnapshotAt = TestSnapshots.Start.AddMonths(-2) },
                    TestSnapshots.Snapshot(late, 7) with { Status = "SUSPENDED" },
                    TestSnapshots.Snapshot(late, 2) with { SnapshotAt = TestSnapshots.Start.AddMonths(-1) },
                ]),
            Ct);
        await writer.WriteAsync(new SnapshotBatch([TestSnapshots.Snapshot(late, 1)]), Ct); // older, written later
        await using (var connection = await db.OpenConnectionAsync(Ct))
        {
            Assert.False(await connection.ExecuteScalarAsync<bool>("select to_regclass('market_latest_state') is not null"));
        }

        await BackfillSeed.MigrateAsync(db, LatestStateMigration, Ct);

        var truth = await TruthAsync(db);
        Assert.Equal([early, late], await MarketsAsync(db));
        Assert.Equal(truth, await RowsAsync(db, StateSql));
        Assert.Equal("SUSPENDED", (await StateAsync(db, late)).Status);
        await using (var connection = await db.OpenConnectionAsync(Ct))
        {
            Assert.True(await connection.ExecuteScalarAsync<bool>(
                "select not exists (select 1 from pg_roles where rolname = 'netbet_reader') or has_table_privilege('netbet_reader', 'market_latest_state', 'select')"));
        }

        // The writer still believes the table missing (its schema is cached for a minute): it finds it after its
        // insert and keeps the state, for a known market and for a new one.
        var fresh = TestSnapshots.NewMarketId();
        await writer.WriteAsync(new SnapshotBatch([TestSnapshots.Metadata(fresh)], [TestSnapshots.Snapshot(early, 9), TestSnapshots.Snapshot(fresh, 3)]), Ct);
        await writer.WriteAsync(new SnapshotBatch([TestSnapshots.Snapshot(fresh, 8) with { Status = "CLOSED" }]), Ct);

        Assert.Equal(await TruthAsync(db), await RowsAsync(db, StateSql));
        Assert.Equal((TestSnapshots.Start.AddSeconds(8), "CLOSED"), ((await StateAsync(db, fresh)).SnapshotAt, (await StateAsync(db, fresh)).Status));
    }

    [Fact]
    public async Task LeagueQueries_DatabaseNotMigratedToTheTable_AnswerByLookingUpEachMarket()
    {
        await using var db = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: false, Ct));
        await BackfillSeed.MigrateAsync(db, "2026-11-30_partition_by_month", Ct);
        var market = TestSnapshots.NewMarketId();
        await Writer(db).WriteAsync(new SnapshotBatch([TestSnapshots.Metadata(market)], [TestSnapshots.Snapshot(market, 1), TestSnapshots.Snapshot(market, 2) with { Inplay = true }]), Ct);
        var queries = new LeagueQueries(db);

        var leagues = await queries.ListLeaguesAsync(new TimeWindow(null, null), null, includeInPlay: true, 10, 0, Ct);
        var events = await queries.ListEventsAsync("10932509", new TimeWindow(null, null), includeInPlay: true, 10, 0, Ct);

        Assert.Equal((1L, 1L), (leagues.Items.Single().EventCount, leagues.Items.Single().InPlayCount));
        var row = events!.Events.Items.Single();
        Assert.Equal((TestSnapshots.Start.AddSeconds(2), TestSnapshots.Start.AddSeconds(2), true), (row.LatestSnapshotAt, row.LatestMetricsAt, row.Inplay));
    }

    [Fact]
    public async Task ArchiveThenRestore_StateFollowsTheSnapshotsThatAreLeft()
    {
        await using var db = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: true, Ct));
        var january = new DateTimeOffset(2025, 1, 10, 12, 0, 0, TimeSpan.Zero);
        var (januaryOnly, alsoMarch) = (TestSnapshots.NewMarketId(), TestSnapshots.NewMarketId());
        await Writer(db).WriteAsync(
            new SnapshotBatch(
                [TestSnapshots.Metadata(januaryOnly), TestSnapshots.Metadata(alsoMarch)],
                [
                    TestSnapshots.Snapshot(januaryOnly, 1) with { SnapshotAt = january },
                    TestSnapshots.Snapshot(januaryOnly, 2) with { SnapshotAt = january.AddDays(1), Status = "CLOSED" },
                    TestSnapshots.Snapshot(alsoMarch, 3) with { SnapshotAt = january },
                    TestSnapshots.Snapshot(alsoMarch, 4) with { SnapshotAt = january.AddMonths(2) },
                ]),
            Ct);
        var before = await RowsAsync(db, StateSql);
        var directory = Directory.CreateTempSubdirectory("netbet-latest-state-").FullName;
        try
        {
            var archiver = new MonthArchiver(db, NullLogger<MonthArchiver>.Instance);
            await archiver.ArchiveAsync(new PartitionMonth(2025, 2), directory, null, Ct);

            // The January-only market has no snapshot left, so no state; the other keeps its March snapshot.
            var afterArchive = await RowsAsync(db, StateSql);
            Assert.Equal(await TruthAsync(db), afterArchive);
            Assert.Equal([alsoMarch], await MarketsAsync(db));

            await archiver.RestoreAsync(directory, null, Ct);

            Assert.Equal(before, await RowsAsync(db, StateSql));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task RefreshFunction_AfterAPlainSqlLoad_MatchesTheSnapshots()
    {
        await using var db = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: true, Ct));
        var market = TestSnapshots.NewMarketId();
        await Writer(db).WriteAsync(new SnapshotBatch([TestSnapshots.Metadata(market)], [TestSnapshots.Snapshot(market, 1)]), Ct);
        await using var connection = await db.OpenConnectionAsync(Ct);
        await connection.ExecuteAsync(
            "insert into market_book_snapshots (market_id, snapshot_at, status, inplay) values (@market, @at, 'CLOSED', false)",
            new { market, at = TestSnapshots.Start.AddMinutes(5) });

        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("select netbet_refresh_latest_state()"));
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("select netbet_refresh_latest_state()"));
        Assert.Equal(await TruthAsync(db), await RowsAsync(db, StateSql));
        Assert.Equal("CLOSED", (await StateAsync(db, market)).Status);
    }

    private static SnapshotWriter Writer(NpgsqlDataSource db) => new(db, NullLogger<SnapshotWriter>.Instance);

    private static Task<List<string>> TruthAsync(NpgsqlDataSource db) => RowsAsync(db, TruthSql);

    private static Task<List<string>> MarketsAsync(NpgsqlDataSource db) => RowsAsync(db, "select market_id from market_latest_state order by market_id");

    private static async Task<List<string>> RowsAsync(NpgsqlDataSource db, string sql)
    {
        await using var connection = await db.OpenConnectionAsync(Ct);
        return [.. await connection.QueryAsync<string>(sql)];
    }

    private static async Task<(DateTimeOffset SnapshotAt, string? Status, bool? Inplay)> StateAsync(NpgsqlDataSource db, string market)
    {
        await using var connection = await db.OpenConnectionAsync(Ct);
        var row = await connection.QuerySingleAsync<(DateTime SnapshotAt, string? Status, bool? Inplay)>(
            "select snapshot_at, status, inplay from market_latest_state where market_id = @market", new { market });
        return (new DateTimeOffset(DateTime.SpecifyKind(row.SnapshotAt, DateTimeKind.Utc)), row.Status, row.Inplay);
    }
}

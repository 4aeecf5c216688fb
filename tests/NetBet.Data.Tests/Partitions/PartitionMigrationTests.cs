using Dapper;
using NetBet.Data.Migrations;
using NetBet.Data.Partitions;
using NetBet.Data.Tests.Backfill;
using Npgsql;

namespace NetBet.Data.Tests.Partitions;

/// <summary>The migration to monthly partitions on a database that already holds data.</summary>
public sealed class PartitionMigrationTests(DatabaseFixture fixture)
{
    public const string PartitionMigration = "2026-11-30_partition_by_month";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The migration applied just before the partitioning one.</summary>
    public static string BeforePartitioning =>
        MigrationCatalog.All.Last(m => string.CompareOrdinal(m.Id, PartitionMigration) < 0).Id;

    [Fact]
    public void Catalog_PartitionMigration_SortsAfterEveryEarlierMigration()
    {
        var ids = MigrationCatalog.All.Select(m => m.Id).ToList();
        Assert.Contains(PartitionMigration, ids);
        Assert.True(ids.IndexOf(PartitionMigration) > ids.IndexOf("2026-11-26_add_service_state"));
    }

    [Fact]
    public async Task Migrate_PopulatedDatabase_KeepsEveryRowAndCreatesOneTableAMonth()
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: false, Ct));
        await BackfillSeed.MigrateAsync(dataSource, BeforePartitioning, Ct);
        await BackfillSeed.StoreAsync(dataSource, markets: 3, perMarket: 20, seed: 1, Ct, start: new DateTimeOffset(2024, 1, 31, 23, 50, 0, TimeSpan.Zero));
        await BackfillSeed.StoreAsync(dataSource, markets: 2, perMarket: 5, seed: 2, Ct, firstMarket: 3, start: new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero));
        await using (var connection = await dataSource.OpenConnectionAsync(Ct))
        {
            // A snapshot without a derived row, and one whose payload is NULL: both kinds exist in real databases.
            await connection.ExecuteAsync("delete from market_derived_metrics where snapshot_id = (select min(snapshot_id) from market_derived_metrics)");
            await connection.ExecuteAsync("update market_book_snapshots set raw_payload = null where snapshot_id = (select max(snapshot_id) from market_book_snapshots)");
        }

        var snapshotsBefore = await RowsAsync(dataSource, "market_book_snapshots");
        var derivedBefore = await RowsAsync(dataSource, "market_derived_metrics");

        await BackfillSeed.MigrateAsync(dataSource, PartitionMigration, Ct);

        Assert.Equal(snapshotsBefore, await RowsAsync(dataSource, "market_book_snapshots"));
        Assert.Equal(derivedBefore, await RowsAsync(dataSource, "market_derived_metrics"));
        await using var after = await dataSource.OpenConnectionAsync(Ct);
        Assert.True(await MonthPartitions.IsPartitionedAsync(after, Ct));
        Assert.Equal(
            [new PartitionMonth(2024, 1), new PartitionMonth(2024, 2), new PartitionMonth(2026, 11)],
            await MonthPartitions.ListMonthsAsync(after, Ct));
        Assert.Equal(
            ["market_derived_metrics_y2024m01", "market_derived_metrics_y2024m02", "market_derived_metrics_y2026m11"],
            (await MonthPartitions.PartitionNamesAsync(after, "market_derived_metrics", Ct)).Values.Order(StringComparer.Ordinal));

        // Ids continue after the old ones, and no table of the old layout is left behind.
        var maxBefore = await after.ExecuteScalarAsync<long>("select max(snapshot_id) from market_book_snapshots");
        var next = await after.ExecuteScalarAsync<long>(
            "insert into market_book_snapshots (market_id, snapshot_at) select market_id, '2026-11-29 00:00:00+00' from market_event_metadata limit 1 returning snapshot_id");
        Assert.True(next > maxBefore);
        Assert.Equal(0, await after.ExecuteScalarAsync<long>("select count(*) from pg_class where relname like '%unpartitioned%'"));
    }

    [Fact]
    public async Task Migrate_DerivedRowDisagreeingWithItsSnapshot_TakesTheSnapshotsKey()
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: false, Ct));
        await BackfillSeed.MigrateAsync(dataSource, BeforePartitioning, Ct);
        await BackfillSeed.StoreAsync(dataSource, markets: 1, perMarket: 3, seed: 3, Ct);
        await using var connection = await dataSource.OpenConnectionAsync(Ct);
        var id = await connection.ExecuteScalarAsync<long>("select min(snapshot_id) from market_derived_metrics");
        await connection.ExecuteAsync("update market_derived_metrics set snapshot_at = snapshot_at + interval '1 second' where snapshot_id = @id", new { id });

        await BackfillSeed.MigrateAsync(dataSource, PartitionMigration, Ct);

        Assert.True(await connection.ExecuteScalarAsync<bool>(
            """
            select d.snapshot_at = s.snapshot_at
            from market_derived_metrics d join market_book_snapshots s on s.snapshot_id = d.snapshot_id
            where d.snapshot_id = @id
            """,
            new { id }));
    }

    [Fact]
    public async Task Migrate_EmptyDatabaseToEachEarlierId_StillReproducesTheSeedSchema()
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: false, Ct));
        await BackfillSeed.MigrateAsync(dataSource, BackfillSeed.BaseSchema, Ct);
        await using var connection = await dataSource.OpenConnectionAsync(Ct);
        Assert.False(await MonthPartitions.IsPartitionedAsync(connection, Ct));

        await BackfillSeed.MigrateAsync(dataSource, null, Ct);
        Assert.True(await MonthPartitions.IsPartitionedAsync(connection, Ct));
    }

    [Fact]
    public async Task Migrate_DatabaseConvertedByHandAsTheReadmeSays_KeepsTheLegacyPartitionAndAddsTheRest()
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: false, Ct));
        await BackfillSeed.MigrateAsync(dataSource, BeforePartitioning, Ct);
        await BackfillSeed.StoreAsync(dataSource, markets: 2, perMarket: 10, seed: 4, Ct, start: new DateTimeOffset(2025, 12, 31, 23, 55, 0, TimeSpan.Zero));
        var before = await RowsAsync(dataSource, "market_derived_metrics");
        await using var connection = await dataSource.OpenConnectionAsync(Ct);

        // README "Converting a large database", steps 1 and 2 (cutover 2026-02-01).
        foreach (var step in LargeDatabaseProcedure)
        {
            await connection.ExecuteAsync(step);
        }

        await BackfillSeed.MigrateAsync(dataSource, null, Ct);

        Assert.Equal(before, await RowsAsync(dataSource, "market_derived_metrics"));
        Assert.Equal(
            "FOR VALUES FROM (MINVALUE) TO ('2026-02-01 00:00:00+00')",
            await connection.ExecuteScalarAsync<string>("set local time zone 'UTC'; select pg_get_expr(relpartbound, oid) from pg_class where relname = 'market_book_snapshots_legacy'"));
        var writer = new NetBet.Data.Snapshots.SnapshotWriter(dataSource, Microsoft.Extensions.Logging.Abstractions.NullLogger<NetBet.Data.Snapshots.SnapshotWriter>.Instance);
        var market = await connection.ExecuteScalarAsync<string>("select min(market_id) from market_event_metadata");
        var written = await writer.WriteAsync(
            new NetBet.Data.Snapshots.SnapshotBatch([
                new NetBet.Data.Snapshots.SnapshotRecord(market!, new DateTimeOffset(2026, 1, 15, 0, 0, 0, TimeSpan.Zero)),
                new NetBet.Data.Snapshots.SnapshotRecord(market!, new DateTimeOffset(2026, 2, 15, 0, 0, 0, TimeSpan.Zero)),
            ]),
            Ct);
        Assert.Equal(2, written.SnapshotsInserted);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("select count(*) from market_book_snapshots_y2026m02"));
        Assert.Equal(
            ["market_book_snapshots>market_event_metadata", "market_derived_metrics>market_book_snapshots"],
            await connection.QueryAsync<string>(
                "select conrelid::regclass::text || '>' || confrelid::regclass::text from pg_constraint where contype = 'f' and conparentid = 0 and conrelid::regclass::text not like '%legacy' order by 1"));
        Assert.True(await connection.ExecuteScalarAsync<long>("select max(snapshot_id) from market_book_snapshots") > 20);
    }

    /// <summary>The statements of the README's procedure for a large database, steps 1 and 2.</summary>
    public static readonly string[] LargeDatabaseProcedure =
    [
        // Step 1, online: no statement here blocks writers for longer than a catalog update.
        "create unique index concurrently market_derived_metrics_legacy_key on market_derived_metrics (market_id, snapshot_at)",
        "alter table market_derived_metrics add constraint market_derived_metrics_legacy_key unique using index market_derived_metrics_legacy_key",
        "create index concurrently market_derived_metrics_legacy_snapshot_id_idx on market_derived_metrics (snapshot_id)",
        "create index concurrently market_book_snapshots_legacy_snapshot_id_idx on market_book_snapshots (snapshot_id)",
        "alter table market_book_snapshots add constraint legacy_range check (snapshot_at < '2026-02-01 00:00:00+00') not valid",
        "alter table market_book_snapshots validate constraint legacy_range",
        "alter table market_derived_metrics add constraint legacy_range check (snapshot_at < '2026-02-01 00:00:00+00') not valid",
        "alter table market_derived_metrics validate constraint legacy_range",

        // Step 2, one short transaction.
        """
        begin;
        set local lock_timeout = '5s';
        lock table market_book_snapshots, market_derived_metrics in access exclusive mode;
        alter table market_derived_metrics drop constraint market_derived_metrics_snapshot_id_fkey, drop constraint market_derived_metrics_pkey;
        alter table market_book_snapshots drop constraint market_book_snapshots_pkey;
        alter table market_derived_metrics rename to market_derived_metrics_legacy;
        alter table market_book_snapshots rename to market_book_snapshots_legacy;
        alter index market_book_snapshots_snapshot_at_idx rename to market_book_snapshots_legacy_snapshot_at_idx;
        alter index market_book_snapshots_market_id_snapshot_at_key rename to market_book_snapshots_legacy_key;
        drop index market_derived_metrics_market_id_snapshot_at_idx;
        create table market_book_snapshots (like market_book_snapshots_legacy including defaults) partition by range (snapshot_at);
        create table market_derived_metrics (like market_derived_metrics_legacy including defaults) partition by range (snapshot_at);
        alter table market_book_snapshots attach partition market_book_snapshots_legacy for values from (minvalue) to ('2026-02-01 00:00:00+00');
        alter table market_derived_metrics attach partition market_derived_metrics_legacy for values from (minvalue) to ('2026-02-01 00:00:00+00');
        alter table market_book_snapshots add constraint market_book_snapshots_pkey primary key (market_id, snapshot_at);
        alter table market_derived_metrics add constraint market_derived_metrics_pkey primary key (market_id, snapshot_at);
        alter table market_book_snapshots alter column snapshot_id add generated by default as identity;
        select setval(pg_get_serial_sequence('market_book_snapshots', 'snapshot_id'),
                      (select last_value from market_book_snapshots_snapshot_id_seq));
        create index market_book_snapshots_snapshot_at_idx on only market_book_snapshots (snapshot_at);
        alter index market_book_snapshots_snapshot_at_idx attach partition market_book_snapshots_legacy_snapshot_at_idx;
        create index market_book_snapshots_snapshot_id_idx on only market_book_snapshots (snapshot_id);
        alter index market_book_snapshots_snapshot_id_idx attach partition market_book_snapshots_legacy_snapshot_id_idx;
        create index market_derived_metrics_snapshot_id_idx on only market_derived_metrics (snapshot_id);
        alter index market_derived_metrics_snapshot_id_idx attach partition market_derived_metrics_legacy_snapshot_id_idx;
        commit;
        """,
    ];

    // Every row as JSON text, in id order: equal lists mean equal rows, column for column.
    private static async Task<List<string>> RowsAsync(NpgsqlDataSource dataSource, string table)
    {
        await using var connection = await dataSource.OpenConnectionAsync(Ct);
        return [.. await connection.QueryAsync<string>($"select to_jsonb(t)::text from {table} t order by snapshot_id")];
    }
}

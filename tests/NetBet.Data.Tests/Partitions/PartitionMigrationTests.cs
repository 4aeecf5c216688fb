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

    // Every row as JSON text, in id order: equal lists mean equal rows, column for column.
    private static async Task<List<string>> RowsAsync(NpgsqlDataSource dataSource, string table)
    {
        await using var connection = await dataSource.OpenConnectionAsync(Ct);
        return [.. await connection.QueryAsync<string>($"select to_jsonb(t)::text from {table} t order by snapshot_id")];
    }
}

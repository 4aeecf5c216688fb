using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Core.Metrics;
using NetBet.Data.Backfill;
using NetBet.Data.Migrations;
using NetBet.Data.Snapshots;
using Npgsql;

namespace NetBet.Data.Tests.Snapshots;

public sealed class SnapshotWriterTests(DatabaseFixture fixture, ClassDatabase database) : IClassFixture<ClassDatabase>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private SnapshotWriter Writer => new(database.DataSource, NullLogger<SnapshotWriter>.Instance);

    [Fact]
    public async Task WriteAsync_NewMarketWithSnapshots_StoresMetadataSnapshotsAndDerivedRows()
    {
        var market = TestSnapshots.NewMarketId();
        SnapshotRecord[] snapshots = [TestSnapshots.Snapshot(market, 1), TestSnapshots.Snapshot(market, 2)];

        var result = await Writer.WriteAsync(new SnapshotBatch([TestSnapshots.Metadata(market)], snapshots), Ct);

        Assert.Equal(new SnapshotWriteResult(1, 2, 0, 2), result);
        await using var connection = await database.DataSource.OpenConnectionAsync(Ct);
        var stored = (await connection.QueryAsync<(string Status, double TotalMatched, string Source, string CaptureVersion, string MarketId)>(
            """
            select status, total_matched, source, capture_version, raw_payload->>'marketId'
            from market_book_snapshots where market_id = @market order by snapshot_at
            """,
            new { market })).ToList();
        Assert.Equal(2, stored.Count);
        Assert.All(stored, row => Assert.Equal(("OPEN", SnapshotSources.RestListMarketBook, "v1", market), (row.Status, row.Source, row.CaptureVersion, row.MarketId)));
        Assert.Equal(snapshots[0].TotalMatched, stored[0].TotalMatched);
    }

    [Fact]
    public async Task WriteAsync_DerivedRow_StoresEveryMetricColumnAsComputed()
    {
        var market = TestSnapshots.NewMarketId();
        var snapshot = TestSnapshots.Snapshot(market, 5);

        await Writer.WriteAsync(new SnapshotBatch([TestSnapshots.Metadata(market)], [snapshot]), Ct);

        await using var connection = await database.DataSource.OpenConnectionAsync(Ct);
        var row = (IDictionary<string, object?>)await connection.QuerySingleAsync(
            "select * from market_derived_metrics where market_id = @market", new { market });
        foreach (var (name, index) in MetricColumns.Names.Select((name, index) => (name, index)))
        {
            Assert.Equal(snapshot.Derived![index], (double?)row[name]);
        }

        Assert.Equal(MetricColumns.DepthLimit, row["depth_limit"]);
        Assert.Equal(MetricColumns.CalculationVersion, row["calculation_version"]);
    }

    [Fact]
    public async Task WriteAsync_DuplicatesInBatchAndInDatabase_AreSkippedAndCounted()
    {
        var market = TestSnapshots.NewMarketId();
        await Writer.WriteAsync(new SnapshotBatch([TestSnapshots.Metadata(market)], [TestSnapshots.Snapshot(market, 1), TestSnapshots.Snapshot(market, 2)]), Ct);

        var second = await Writer.WriteAsync(
            new SnapshotBatch(
            [
                TestSnapshots.Snapshot(market, 2), // stored already
                TestSnapshots.Snapshot(market, 3),
                TestSnapshots.Snapshot(market, 3) with { Status = "SUSPENDED" }, // repeated within the batch
                TestSnapshots.Snapshot(market, 4, derived: false),
            ]),
            Ct);

        Assert.Equal(new SnapshotWriteResult(0, 2, 2, 1), second);
        await using var connection = await database.DataSource.OpenConnectionAsync(Ct);
        Assert.Equal(4, await connection.ExecuteScalarAsync<int>("select count(*) from market_book_snapshots where market_id = @market", new { market }));
        Assert.Equal(3, await connection.ExecuteScalarAsync<int>("select count(*) from market_derived_metrics where market_id = @market", new { market }));
        Assert.Equal("OPEN", await connection.ExecuteScalarAsync<string>(
            "select status from market_book_snapshots where market_id = @market and snapshot_at = @at", new { market, at = TestSnapshots.Start.AddSeconds(3).UtcDateTime }));
    }

    [Fact]
    public async Task WriteAsync_SnapshotTimesWithinOneMicrosecond_AreOneSnapshot()
    {
        var market = TestSnapshots.NewMarketId();
        var first = TestSnapshots.Snapshot(market, 1);

        var result = await Writer.WriteAsync(
            new SnapshotBatch([TestSnapshots.Metadata(market)], [first, first with { SnapshotAt = first.SnapshotAt.AddTicks(3) }]), Ct);

        Assert.Equal(1, result.SnapshotsInserted);
        Assert.Equal(1, result.DuplicateSnapshots);
    }

    [Fact]
    public async Task WriteAsync_MetadataAlreadyStored_WritesSnapshotsWithoutMetadataInTheBatch()
    {
        var market = TestSnapshots.NewMarketId();
        await Writer.WriteAsync(new SnapshotBatch([TestSnapshots.Metadata(market)], []), Ct);

        var result = await Writer.WriteAsync(new SnapshotBatch([TestSnapshots.Snapshot(market, 1)]), Ct);

        Assert.Equal(new SnapshotWriteResult(0, 1, 0, 1), result);
    }

    [Fact]
    public async Task WriteAsync_MarketWithoutMetadataAnywhere_ThrowsNamingItAndWritesNothing()
    {
        var known = TestSnapshots.NewMarketId();
        var unknown = TestSnapshots.NewMarketId();

        var error = await Assert.ThrowsAsync<MissingMarketMetadataException>(() => Writer.WriteAsync(
            new SnapshotBatch([TestSnapshots.Metadata(known)], [TestSnapshots.Snapshot(known, 1), TestSnapshots.Snapshot(unknown, 1)]), Ct));

        Assert.Equal([unknown], error.MarketIds);
        Assert.Contains(unknown, error.Message, StringComparison.Ordinal);
        await using var connection = await database.DataSource.OpenConnectionAsync(Ct);
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("select count(*) from market_event_metadata where market_id = @known", new { known }));
    }

    [Fact]
    public async Task WriteAsync_MetadataUpsert_KeepsStoredValuesForNullsAndWidensSeenTimes()
    {
        var market = TestSnapshots.NewMarketId();
        var early = TestSnapshots.Start.AddDays(-1);
        await Writer.WriteAsync(new SnapshotBatch([TestSnapshots.Metadata(market) with { SeenAt = early }], []), Ct);

        var result = await Writer.WriteAsync(
            new SnapshotBatch(
            [
                new MarketMetadata(market) { CompetitionName = "Premier League", SeenAt = TestSnapshots.Start },
                new MarketMetadata(market) { EventName = "Arsenal v Chelsea (renamed)", SeenAt = early.AddHours(1) },
            ],
            []),
            Ct);

        Assert.Equal(1, result.MetadataUpserted);
        await using var connection = await database.DataSource.OpenConnectionAsync(Ct);
        var row = await connection.QuerySingleAsync<(string Competition, string Event, string Home, long HomeId, DateTime First, DateTime Last)>(
            """
            select competition_name, event_name, home_runner_name, home_selection_id, first_seen_at, last_seen_at
            from market_event_metadata where market_id = @market
            """,
            new { market });
        Assert.Equal("Premier League", row.Competition);
        Assert.Equal("Arsenal v Chelsea (renamed)", row.Event);
        Assert.Equal("Arsenal", row.Home);
        Assert.Equal(TestSnapshots.Roles.Home, row.HomeId);
        Assert.Equal(early.UtcDateTime, row.First);
        Assert.Equal(TestSnapshots.Start.UtcDateTime, row.Last);
    }

    [Fact]
    public async Task Schema_RowsWithJustTheirKeys_GetDefaults()
    {
        var market = TestSnapshots.NewMarketId();
        await using var connection = await database.DataSource.OpenConnectionAsync(Ct);

        await connection.ExecuteAsync(
            """
            insert into market_event_metadata (market_id) values (@market);
            insert into market_book_snapshots (market_id, snapshot_at) values (@market, now());
            insert into market_derived_metrics (snapshot_id, snapshot_at, market_id)
            select snapshot_id, snapshot_at, market_id from market_book_snapshots where market_id = @market;
            """,
            new { market });

        var row = await connection.QuerySingleAsync<(string Source, string Version, bool Seen)>(
            """
            select s.source, s.capture_version, m.first_seen_at is not null and m.last_seen_at is not null
            from market_book_snapshots s join market_event_metadata m using (market_id) where market_id = @market
            """,
            new { market });
        Assert.Equal((SnapshotSources.RestListMarketBook, "v1", true), row);
    }

    [Fact]
    public async Task WriteAsync_BaseSchemaDatabaseThenMigrated_LeavesTheEighteenColumnsNull()
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: false, Ct));
        var runner = new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance);
        await runner.MigrateAsync("2026-02-06_base_schema", dryRun: false, null, Ct);
        var writer = new SnapshotWriter(dataSource, NullLogger<SnapshotWriter>.Instance);
        var market = TestSnapshots.NewMarketId();

        Assert.Equal(MetricColumns.Count - 18, (await writer.GetMetricColumnsAsync(Ct)).Count);
        var result = await writer.WriteAsync(new SnapshotBatch([TestSnapshots.Metadata(market)], [TestSnapshots.Snapshot(market, 1)]), Ct);
        await runner.MigrateAsync(null, dryRun: false, null, Ct);

        Assert.Equal(1, result.DerivedRowsInserted);
        await using var connection = await dataSource.OpenConnectionAsync(Ct);
        var row = (IDictionary<string, object?>)await connection.QuerySingleAsync("select * from market_derived_metrics");
        Assert.All(MetricSchema.AddedAfterBaseSchema, name => Assert.Null(row[name]));
        Assert.NotNull(row["home_risk"]);
        Assert.NotNull(row["home_impedance"]);

        writer.RefreshSchema();
        Assert.Equal(MetricColumns.Count, (await writer.GetMetricColumnsAsync(Ct)).Count);
    }

    [Fact]
    public async Task WriteAsync_UnmigratedDatabase_ThrowsSchemaNotReady()
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: false, Ct));
        var writer = new SnapshotWriter(dataSource, NullLogger<SnapshotWriter>.Instance);
        var market = TestSnapshots.NewMarketId();

        await Assert.ThrowsAsync<SchemaNotReadyException>(() => writer.WriteAsync(new SnapshotBatch([TestSnapshots.Metadata(market)], []), Ct));
    }
}

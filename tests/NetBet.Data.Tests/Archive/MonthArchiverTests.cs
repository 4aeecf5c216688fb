using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Data.Archive;
using NetBet.Data.Audit;
using NetBet.Data.Backfill;
using NetBet.Data.Partitions;
using NetBet.Data.Snapshots;
using NetBet.Data.Tests.Snapshots;
using Npgsql;

namespace NetBet.Data.Tests.Archive;

public sealed class MonthArchiverTests(DatabaseFixture fixture) : IDisposable
{
    private static readonly DateTimeOffset January = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string _directory = Directory.CreateTempSubdirectory("netbet-archive-test-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ArchiveThenRestore_EveryRowEqualAndRestoreTwiceChangesNothing()
    {
        await using var db = await SeedAsync();
        var before = await AllRowsAsync(db);
        var archiver = Archiver(db);

        var archived = await archiver.ArchiveAsync(new PartitionMonth(2025, 3), _directory, null, Ct);

        Assert.Equal(["2025-01", "2025-02"], archived.Select(a => a.Month.ToString()));
        Assert.Equal((6, 5), (archived[0].SnapshotRows, archived[0].DerivedRows));
        Assert.True(File.Exists(Path.Combine(_directory, "2025-01", ArchiveManifest.FileName)));
        await using (var connection = await db.OpenConnectionAsync(Ct))
        {
            Assert.Equal([new PartitionMonth(2025, 3)], await MonthPartitions.ListMonthsAsync(connection, Ct));
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("select count(*) from market_book_snapshots where snapshot_at < '2025-03-01'"));

            // A market only January had: the operator may delete it; the archive holds its metadata.
            await connection.ExecuteAsync("delete from market_event_metadata where market_id = @market", new { market = Market(0) });
        }

        var audit = await new Auditor(db).RunAsync(Ct);
        Assert.Equal(["2025-01", "2025-02"], audit.ArchivedMonths.Select(a => a.Month.ToString()));
        Assert.Equal(Path.Combine(_directory, "2025-01"), audit.ArchivedMonths[0].Location);

        var restored = await archiver.RestoreAsync(_directory, null, Ct);
        var again = await archiver.RestoreAsync(Path.Combine(_directory, "2025-02"), null, Ct);

        Assert.Equal([(1L, 6L, 5L), (0L, 6L, 6L)], restored.Select(r => (r.MetadataRows, r.SnapshotRows, r.DerivedRows)));
        Assert.Equal((0, 0, 0), (again[0].MetadataRows, again[0].SnapshotRows, again[0].DerivedRows));
        Assert.Equal(before, await AllRowsAsync(db));
        Assert.Empty((await new Auditor(db).RunAsync(Ct)).ArchivedMonths);

        // Tier A again: the raw payloads are back, so every stored value is reproduced from them.
        var verify = await new Backfiller(db, NullLogger<Backfiller>.Instance).RunAsync(new BackfillOptions { Verify = true, To = January.AddMonths(2) }, null, Ct);
        Assert.True(verify.Compared > 0);
        Assert.Equal(0, verify.DriftCount);
    }

    [Fact]
    public async Task Restore_FileChangedAfterArchiving_RefusesNamingTheFileAndLoadsNothing()
    {
        await using var db = await SeedAsync();
        await Archiver(db).ArchiveAsync(new PartitionMonth(2025, 2), _directory, null, Ct);
        var file = Path.Combine(_directory, "2025-01", "market_book_snapshots.copy.gz");
        var bytes = await File.ReadAllBytesAsync(file, Ct);
        bytes[bytes.Length / 2] ^= 0xff;
        await File.WriteAllBytesAsync(file, bytes, Ct);

        var error = await Assert.ThrowsAsync<ArchiveException>(() => Archiver(db).RestoreAsync(_directory, null, Ct));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
        await using var connection = await db.OpenConnectionAsync(Ct);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("select count(*) from market_book_snapshots where snapshot_at < '2025-02-01'"));
    }

    [Fact]
    public async Task Archive_NothingBeforeTheMonth_ArchivesNothing()
    {
        await using var db = await SeedAsync();

        Assert.Empty(await Archiver(db).ArchiveAsync(new PartitionMonth(2024, 6), _directory, null, Ct));
    }

    private static string Market(int index) => "1.9900000" + index;

    private static MonthArchiver Archiver(NpgsqlDataSource db) => new(db, NullLogger<MonthArchiver>.Instance);

    // Markets 0, 1 and 2 in January, February and March 2025, six snapshots each; January has one snapshot without
    // a derived row and one without a payload.
    private async Task<NpgsqlDataSource> SeedAsync()
    {
        var db = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: true, Ct));
        var writer = new SnapshotWriter(db, NullLogger<SnapshotWriter>.Instance);
        for (var m = 0; m < 3; m++)
        {
            var market = Market(m);
            var start = January.AddMonths(m).AddDays(3);
            var snapshots = Enumerable.Range(0, 6)
                .Select(i => TestSnapshots.Snapshot(market, i, derived: !(m == 0 && i == 5)) with { SnapshotAt = start.AddMinutes(i).AddTicks(i * 10) })
                .ToList();
            await writer.WriteAsync(new SnapshotBatch([TestSnapshots.Metadata(market)], snapshots), Ct);
        }

        await using var connection = await db.OpenConnectionAsync(Ct);
        await connection.ExecuteAsync("update market_book_snapshots set raw_payload = null where market_id = @market and snapshot_at = (select max(snapshot_at) from market_book_snapshots where market_id = @market)", new { market = Market(0) });
        return db;
    }

    private static async Task<List<string>> AllRowsAsync(NpgsqlDataSource db)
    {
        await using var connection = await db.OpenConnectionAsync(Ct);
        var rows = new List<string>();
        rows.AddRange(await connection.QueryAsync<string>("select to_jsonb(t)::text from market_event_metadata t order by market_id"));
        rows.AddRange(await connection.QueryAsync<string>("select to_jsonb(t)::text from market_book_snapshots t order by snapshot_id"));
        rows.AddRange(await connection.QueryAsync<string>("select to_jsonb(t)::text from market_derived_metrics t order by snapshot_id"));
        return rows;
    }
}

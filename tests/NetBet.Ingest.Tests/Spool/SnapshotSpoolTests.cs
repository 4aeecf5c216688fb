using System.Text;
using Microsoft.Extensions.Logging;
using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Data.Snapshots;
using NetBet.Ingest.Capture;
using NetBet.Ingest.Spool;
using NetBet.Ingest.Tests.Betfair;
using NetBet.Ingest.Tests.Capture;
using Npgsql;

namespace NetBet.Ingest.Tests.Spool;

public sealed class SnapshotSpoolTests(DatabaseFixture database) : IDisposable
{
    private static readonly RunnerRoles Roles = new(101, 102, 58805);
    private static readonly DateTimeOffset At = new(2026, 11, 28, 13, 0, 0, TimeSpan.Zero);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "netbet-spool-test-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly CapturedLogs _logs = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _logs.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Replay_SpooledBatches_StoresThemInOrderWithTheDerivedRowsOfTheirBytes()
    {
        await using var store = await StoreAsync();
        using (var spool = Open())
        {
            Assert.NotNull(await spool.AppendAsync(Batch(At, "1.1", "1.2"), Ct));
            Assert.NotNull(await spool.AppendAsync(Batch(At.AddMinutes(1), "1.1", "1.2"), Ct));
        }

        var backlog = SnapshotSpool.ReadBacklog(_directory);
        Assert.Equal((2, 4L, At, 0), (backlog.Batches, backlog.Snapshots, backlog.Oldest, backlog.Torn));

        using (var spool = Open())
        {
            var replay = await spool.ReplayAsync(store.Writer.WriteAsync, Ct);
            Assert.Equal((2, 4, 0), (replay.Batches, replay.SnapshotsInserted, replay.Torn));
        }

        Assert.Equal(0, SnapshotSpool.ReadBacklog(_directory).Batches);
        Assert.Equal(4L, await store.ScalarAsync("select count(*) from market_derived_metrics"));
        Assert.Equal(2L, await store.ScalarAsync("select count(*) from market_event_metadata where home_selection_id = 101"));
        var expected = MetricEngine.Compute(MarketBookReader.Read(Encoding.UTF8.GetBytes(SnapshotCaptureTests.Book("1.1"))), Roles).Row!;
        Assert.Equal(expected["home_risk"], await store.DoubleAsync("select d.home_risk from market_derived_metrics d join market_book_snapshots s using (snapshot_id) where s.market_id = '1.1' limit 1"));
    }

    [Fact]
    public async Task Replay_AfterACrashBetweenCommitAndRemoval_AddsNothing()
    {
        await using var store = await StoreAsync();
        var batch = Batch(At, "1.1", "1.2", "1.3");
        await store.Writer.WriteAsync(batch, Ct); // committed ...
        using (var spool = Open())
        {
            await spool.AppendAsync(batch, Ct); // ... but still spooled, as after a kill -9 before the removal
            var replay = await spool.ReplayAsync(store.Writer.WriteAsync, Ct);
            Assert.Equal((1, 0, 3), (replay.Batches, replay.SnapshotsInserted, replay.Duplicates));
        }

        Assert.Equal(3L, await store.ScalarAsync("select count(*) from market_book_snapshots"));
    }

    [Fact]
    public async Task Replay_TornLastRecord_IsSetAsideWithAWarningAndNeverReplayedHalf()
    {
        await using var store = await StoreAsync();
        using (var spool = Open())
        {
            await spool.AppendAsync(Batch(At, "1.1"), Ct);
            var last = await spool.AppendAsync(Batch(At.AddMinutes(1), "1.1", "1.2"), Ct);
            // Power loss mid-append: the last record is cut short.
            await using (var file = new FileStream(last!.Path, FileMode.Open, FileAccess.Write))
            {
                file.SetLength(file.Length - 100);
            }
        }

        using (var spool = Open())
        {
            var replay = await spool.ReplayAsync(store.Writer.WriteAsync, Ct);
            Assert.Equal((1, 1, 1), (replay.Batches, replay.SnapshotsInserted, replay.Torn));
        }

        Assert.Equal(1L, await store.ScalarAsync("select count(*) from market_book_snapshots"));
        Assert.Contains(_logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("torn", StringComparison.Ordinal));
        Assert.Single(Directory.GetFiles(_directory, "*" + SnapshotSpool.TornExtension));
        Assert.Equal(1, SnapshotSpool.ReadBacklog(_directory).Torn);
    }

    [Fact]
    public async Task Replay_CorruptedByte_IsCaughtByTheChecksum()
    {
        await using var store = await StoreAsync();
        using var spool = Open();
        var entry = await spool.AppendAsync(Batch(At, "1.1"), Ct);
        var bytes = await File.ReadAllBytesAsync(entry!.Path, Ct);
        bytes[^10] ^= 0x20;
        await File.WriteAllBytesAsync(entry.Path, bytes, Ct);

        var replay = await spool.ReplayAsync(store.Writer.WriteAsync, Ct);

        Assert.Equal((0, 1), (replay.Batches, replay.Torn));
        Assert.Equal(0L, await store.ScalarAsync("select count(*) from market_book_snapshots"));
    }

    [Fact]
    public async Task Append_FullSpool_RefusesLoudlyAndKeepsWhatItHas()
    {
        using var spool = SnapshotSpool.Open(_directory, 6_000, _logs.Factory.CreateLogger<SnapshotSpool>());
        Assert.NotNull(await spool.AppendAsync(Batch(At, "1.1"), Ct));

        var refused = await spool.AppendAsync(Batch(At.AddMinutes(1), "1.1", "1.2", "1.3"), Ct);

        Assert.Null(refused);
        Assert.Contains(_logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("FULL", StringComparison.Ordinal) && l.Contains("3 snapshots", StringComparison.Ordinal));
        Assert.Equal(1, SnapshotSpool.ReadBacklog(_directory).Batches);
    }

    [Fact]
    public async Task Replay_DatabaseDown_StopsAndKeepsTheBacklog()
    {
        using var spool = Open();
        await spool.AppendAsync(Batch(At, "1.1"), Ct);
        await using var dead = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=nobody;Timeout=2");
        var writer = new SnapshotWriter(dead, _logs.Factory.CreateLogger<SnapshotWriter>());

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => spool.ReplayAsync(writer.WriteAsync, Ct));

        Assert.Equal(1, SnapshotSpool.ReadBacklog(_directory).Batches);
    }

    [Fact]
    public void Open_SpoolAlreadyOpen_IsRefused()
    {
        using var first = Open();

        var error = Assert.Throws<IOException>(Open);

        Assert.Contains("in use", error.Message, StringComparison.Ordinal);
    }

    private SnapshotSpool Open() => SnapshotSpool.Open(_directory, SnapshotSpool.DefaultMaxBytes, _logs.Factory.CreateLogger<SnapshotSpool>());

    private static SnapshotBatch Batch(DateTimeOffset at, params string[] marketIds)
    {
        var capture = new SnapshotCapture(SnapshotSources.RestListMarketBook, "v1");
        var metadata = marketIds.Select(id => new MarketMetadata(id) { MarketName = "Match Odds", SeenAt = at }.WithRoles(Roles)).ToList();
        var snapshots = marketIds.Select(id => capture.Capture(id, Encoding.UTF8.GetBytes(SnapshotCaptureTests.Book(id)), Roles, at).Snapshot!).ToList();
        return new SnapshotBatch(metadata, snapshots);
    }

    private async Task<Store> StoreAsync()
    {
        var dataSource = NpgsqlDataSource.Create(await database.CreateDatabaseAsync(migrated: true, Ct));
        return new Store(dataSource, new SnapshotWriter(dataSource, _logs.Factory.CreateLogger<SnapshotWriter>()));
    }

    private sealed record Store(NpgsqlDataSource DataSource, SnapshotWriter Writer) : IAsyncDisposable
    {
        public async Task<long> ScalarAsync(string sql)
        {
            await using var command = DataSource.CreateCommand(sql);
            return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
        }

        public async Task<double> DoubleAsync(string sql)
        {
            await using var command = DataSource.CreateCommand(sql);
            return Convert.ToDouble(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
        }

        public ValueTask DisposeAsync() => DataSource.DisposeAsync();
    }
}

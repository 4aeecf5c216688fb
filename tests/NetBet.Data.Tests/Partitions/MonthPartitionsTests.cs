using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Data.Partitions;
using NetBet.Data.Snapshots;
using NetBet.Data.Tests.Snapshots;
using Npgsql;

namespace NetBet.Data.Tests.Partitions;

public sealed class MonthPartitionsTests(ClassDatabase database) : IClassFixture<ClassDatabase>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("2026-11", 2026, 11)]
    [InlineData(" 2024-01 ", 2024, 1)]
    public void TryParse_Month_ReadsYearAndMonth(string text, int year, int month)
    {
        Assert.Equal(new PartitionMonth(year, month), PartitionMonth.TryParse(text, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("2026-13")]
    [InlineData("2026-1")]
    [InlineData("November")]
    [InlineData("")]
    public void TryParse_NotAMonth_SaysWhatIsExpected(string text)
    {
        Assert.Null(PartitionMonth.TryParse(text, out var error));
        Assert.Contains("expected YYYY-MM", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Of_LastMicrosecondOfTheMonthInAnotherOffset_IsTheUtcMonth()
    {
        Assert.Equal(new PartitionMonth(2026, 12), PartitionMonth.Of(new DateTimeOffset(2026, 11, 30, 23, 30, 0, TimeSpan.FromHours(-1))));
        Assert.Equal("y2026m12", new PartitionMonth(2026, 12).Suffix);
        Assert.Equal(new PartitionMonth(2027, 1), new PartitionMonth(2026, 12).Next());
    }

    [Fact]
    public async Task EnsureRangeAsync_Twice_CreatesEachMonthOnceAndReportsWhatItCreated()
    {
        var partitions = new MonthPartitions(database.DataSource);

        var first = await partitions.EnsureRangeAsync(new PartitionMonth(2030, 11), new PartitionMonth(2031, 2), Ct);
        var second = await partitions.EnsureRangeAsync(new PartitionMonth(2030, 11), new PartitionMonth(2031, 2), Ct);

        Assert.Equal(["2030-11", "2030-12", "2031-01", "2031-02"], first.Select(m => m.Month.ToString()));
        Assert.All(first, m => Assert.True(m.Created));
        Assert.All(second, m => Assert.False(m.Created));
        await using var connection = await database.DataSource.OpenConnectionAsync(Ct);
        await connection.ExecuteAsync("set time zone 'Asia/Tokyo'");
        Assert.Equal(
            "FOR VALUES FROM ('2031-01-01 09:00:00+09') TO ('2031-02-01 09:00:00+09')",
            await connection.ExecuteScalarAsync<string>(
                "select pg_get_expr(relpartbound, oid) from pg_class where relname = 'market_derived_metrics_y2031m01'"));
    }

    [Fact]
    public async Task EnsureRangeAsync_FromAfterTo_IsRefusedNamingBoth()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => new MonthPartitions(database.DataSource).EnsureRangeAsync(new PartitionMonth(2030, 5), new PartitionMonth(2030, 4), Ct));
        Assert.Contains("2030-05 .. 2030-04", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAsync_MonthWithRows_CountsRowsAndSize()
    {
        var market = TestSnapshots.NewMarketId();
        var at = new DateTimeOffset(2032, 3, 10, 12, 0, 0, TimeSpan.Zero);
        SnapshotRecord[] snapshots = [TestSnapshots.Snapshot(market, 1) with { SnapshotAt = at }, TestSnapshots.Snapshot(market, 2, derived: false) with { SnapshotAt = at.AddMinutes(1) }];
        await Writer().WriteAsync(new SnapshotBatch([TestSnapshots.Metadata(market)], snapshots), Ct);

        var month = Assert.Single(await new MonthPartitions(database.DataSource).ListAsync(Ct), p => p.Month == new PartitionMonth(2032, 3));

        Assert.Equal((2, 1), (month.SnapshotRows, month.DerivedRows));
        Assert.True(month.Bytes > 0);
    }

    [Fact]
    public async Task WriteAsync_HistoryFrom2024_CreatesThoseMonths()
    {
        var market = TestSnapshots.NewMarketId();
        var jan = new DateTimeOffset(2024, 1, 31, 23, 59, 0, TimeSpan.Zero);
        SnapshotRecord[] snapshots = [TestSnapshots.Snapshot(market, 1) with { SnapshotAt = jan }, TestSnapshots.Snapshot(market, 2) with { SnapshotAt = jan.AddMinutes(2) }];

        var result = await Writer().WriteAsync(new SnapshotBatch([TestSnapshots.Metadata(market)], snapshots), Ct);

        Assert.Equal(2, result.SnapshotsInserted);
        Assert.Equal(2, result.DerivedRowsInserted);
        await using var connection = await database.DataSource.OpenConnectionAsync(Ct);
        var months = await MonthPartitions.ListMonthsAsync(connection, Ct);
        Assert.Contains(new PartitionMonth(2024, 1), months);
        Assert.Contains(new PartitionMonth(2024, 2), months);
        Assert.DoesNotContain(new PartitionMonth(2024, 3), months);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("select count(*) from market_derived_metrics_y2024m02 where market_id = @market", new { market }));
    }

    [Fact]
    public async Task WriteAsync_TwoConcurrentWritersIntoNewMonths_BothStoreEverything()
    {
        // Several rounds, each into months nobody created yet, both writers released at once.
        for (var round = 0; round < 5; round++)
        {
            var at = new DateTimeOffset(2033 + round, 6, 30, 23, 59, 30, TimeSpan.Zero);
            var markets = new[] { TestSnapshots.NewMarketId(), TestSnapshots.NewMarketId() };
            using var start = new Barrier(2);
            var writes = markets.Select(market => Task.Run(
                async () =>
                {
                    var writer = Writer();
                    SnapshotRecord[] snapshots = [TestSnapshots.Snapshot(market, 1) with { SnapshotAt = at }, TestSnapshots.Snapshot(market, 2) with { SnapshotAt = at.AddMinutes(1) }];
                    start.SignalAndWait(Ct);
                    return await writer.WriteAsync(new SnapshotBatch([TestSnapshots.Metadata(market)], snapshots), Ct);
                },
                Ct)).ToList();

            var results = await Task.WhenAll(writes);

            Assert.All(results, r => Assert.Equal((2, 2), (r.SnapshotsInserted, r.DerivedRowsInserted)));
            await using var connection = await database.DataSource.OpenConnectionAsync(Ct);
            Assert.Equal(4, await connection.ExecuteScalarAsync<long>(
                "select count(*) from market_derived_metrics where market_id = any(@markets)", new { markets }));
        }
    }

    [Fact]
    public async Task WriteAsync_MonthDroppedAfterTheWriterCreatedIt_CreatesItAgain()
    {
        var writer = Writer();
        var market = TestSnapshots.NewMarketId();
        var at = new DateTimeOffset(2040, 2, 1, 0, 0, 0, TimeSpan.Zero);
        await writer.WriteAsync(new SnapshotBatch([TestSnapshots.Metadata(market)], [TestSnapshots.Snapshot(market, 1) with { SnapshotAt = at }]), Ct);
        await using (var connection = await database.DataSource.OpenConnectionAsync(Ct))
        {
            // A month referenced by the foreign key is detached before it can be dropped.
            await connection.ExecuteAsync(
                """
                drop table market_derived_metrics_y2040m02;
                alter table market_book_snapshots detach partition market_book_snapshots_y2040m02;
                drop table market_book_snapshots_y2040m02;
                """);
        }

        var result = await writer.WriteAsync(new SnapshotBatch([TestSnapshots.Snapshot(market, 2) with { SnapshotAt = at.AddMinutes(1) }]), Ct);

        Assert.Equal(1, result.SnapshotsInserted);
    }

    private SnapshotWriter Writer() => new(database.DataSource, NullLogger<SnapshotWriter>.Instance);
}

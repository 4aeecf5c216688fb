using NetBet.Data.Cluster;
using NetBet.Data.State;
using Npgsql;

namespace NetBet.Data.Tests.State;

public sealed class SnapshotCountsTests(DatabaseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Counts_StoredHistory_ExactCountsAndNewestTime()
    {
        await using var db = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: true, Ct));
        var counts = new SnapshotCounts(db);
        Assert.Equal(new SnapshotTotals(0, null), await counts.GetTotalsAsync(Ct));

        var start = new DateTimeOffset(2026, 3, 1, 18, 0, 0, TimeSpan.Zero);
        await ScratchBooks.StoreAsync(db, markets: 3, perMarket: 4, seed: 1, start, Ct);

        Assert.Equal(new SnapshotTotals(12, start.AddMinutes(3).AddSeconds(2)), await counts.GetTotalsAsync(Ct));
        Assert.Equal(3, await counts.CountMarketsAsync(Ct));
    }

    [Fact]
    public async Task Counts_NotMigrated_SchemaNotReady()
    {
        await using var db = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: false, Ct));

        await Assert.ThrowsAsync<SchemaNotReadyException>(() => new SnapshotCounts(db).GetTotalsAsync(Ct));
        await Assert.ThrowsAsync<SchemaNotReadyException>(() => new SnapshotCounts(db).CountMarketsAsync(Ct));
    }
}

using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Data.Backfill;
using NetBet.Data.Tests.Backfill;
using Npgsql;

namespace NetBet.Data.Tests.Partitions;

/// <summary><c>--workers</c> and <c>--shard</c>: several workers or processes end exactly where one worker does.</summary>
public sealed class ParallelBackfillTests(DatabaseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("1/2", true)]
    [InlineData("2/2", true)]
    [InlineData("3/3", true)]
    [InlineData("0/2", false)]
    [InlineData("3/2", false)]
    [InlineData("1-2", false)]
    public void Shard_TryParse_AcceptsOneBasedKOfN(string text, bool valid)
    {
        var shard = BackfillShard.TryParse(text, out var error);
        Assert.Equal(valid, shard is not null);
        Assert.Equal(valid, error is null);
        if (shard is { } parsed)
        {
            Assert.Equal(text, parsed.ToString());
        }
    }

    [Fact]
    public async Task Backfill_TwoWorkersAndTwoConcurrentShards_EndIdenticalToOneWorker()
    {
        var single = await SeedAsync();
        var workers = await SeedAsync();
        var shards = await SeedAsync();

        var one = await Backfiller(single).RunAsync(new BackfillOptions(), null, Ct);
        var two = await Backfiller(workers).RunAsync(new BackfillOptions { Workers = 2 }, null, Ct);
        var shardRuns = await Task.WhenAll(
            Task.Run(() => Backfiller(shards).RunAsync(new BackfillOptions { Shard = new BackfillShard(0, 2), Workers = 2 }, null, Ct), Ct),
            Task.Run(() => Backfiller(shards).RunAsync(new BackfillOptions { Shard = new BackfillShard(1, 2) }, null, Ct), Ct));

        Assert.Equal((Rows, Rows), (one.Processed, one.Updated));
        Assert.Equal((Rows, Rows), (two.Processed, two.Updated));
        Assert.All(shardRuns, r => Assert.True(r.Processed > 0, "each shard has rows"));
        Assert.Equal(Rows, shardRuns.Sum(r => r.Updated));
        Assert.Equal(shardRuns.Select(r => r.Total), shardRuns.Select(r => r.Processed));
        var expected = await BackfillSeed.StoredRowsAsync(single, Ct);
        foreach (var db in new[] { workers, shards })
        {
            var actual = await BackfillSeed.StoredRowsAsync(db, Ct);
            Assert.Equal(expected.Count, actual.Count);
            Assert.All(expected, kv => Assert.Equal(kv.Value, actual[kv.Key]));
        }

        var again = await Backfiller(workers).RunAsync(new BackfillOptions { Workers = 2 }, null, Ct);
        Assert.Equal(0, again.Updated);
    }

    [Fact]
    public async Task Backfill_TwoWorkersCancelledMidRun_RerunEndsIdenticalToOneWorker()
    {
        var db = await SeedAsync();
        using var cancel = new CancellationTokenSource();
        var first = await Backfiller(db).RunAsync(
            new BackfillOptions { Workers = 2, BatchSize = 100 },
            progress =>
            {
                if (progress.Batch == 5)
                {
                    cancel.Cancel();
                }
            },
            cancel.Token);
        var rest = await Backfiller(db).RunAsync(new BackfillOptions { Workers = 2 }, null, Ct);

        Assert.True(first.Interrupted);
        Assert.InRange(first.Updated, 500, Rows - 1);
        Assert.Equal(Rows, first.Updated + rest.Updated);
    }

    private const int Rows = 12_600;

    private static Backfiller Backfiller(NpgsqlDataSource db) => new(db, NullLogger<Backfiller>.Instance);

    // 12,600 snapshots over two months (ids 1 .. 12,600: two blocks of 10,000 ids), stored at the base schema and
    // migrated, so the 18 later columns are NULL everywhere.
    private async Task<NpgsqlDataSource> SeedAsync()
    {
        var db = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: false, Ct));
        await BackfillSeed.MigrateAsync(db, BackfillSeed.BaseSchema, Ct);
        await BackfillSeed.StoreAsync(db, markets: 14, perMarket: 450, seed: 5, Ct, start: new DateTimeOffset(2026, 1, 20, 0, 0, 0, TimeSpan.Zero));
        await BackfillSeed.StoreAsync(db, markets: 14, perMarket: 450, seed: 6, Ct, firstMarket: 14, start: new DateTimeOffset(2026, 2, 20, 0, 0, 0, TimeSpan.Zero));
        await BackfillSeed.MigrateAsync(db, null, Ct);
        return db;
    }
}

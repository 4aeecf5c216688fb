namespace NetBet.Cli.Tests.Backfill;

/// <summary><c>netbet backfill --workers</c> and <c>--shard</c> as child processes.</summary>
public sealed class ParallelBackfillCliTests(CliDatabaseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Backfill_TwoWorkersAndTwoShardProcesses_EndIdenticalToOneWorker()
    {
        // 12,000 rows: snapshot ids in two blocks of 10,000, so each shard and worker has work.
        var single = await CliSeed.CreateAsync(fixture, markets: 20, perMarket: 600, Ct);
        var workers = await CliSeed.CreateAsync(fixture, markets: 20, perMarket: 600, Ct);
        var shards = await CliSeed.CreateAsync(fixture, markets: 20, perMarket: 600, Ct);

        var one = await NetBetProcess.RunAsync(single, Ct, "backfill", "--workers", "1");
        var two = await NetBetProcess.RunAsync(workers, Ct, "backfill", "--workers", "2");
        var shardRuns = await Task.WhenAll(
            NetBetProcess.RunAsync(shards, Ct, "backfill", "--shard", "1/2"),
            NetBetProcess.RunAsync(shards, Ct, "backfill", "--shard", "2/2"));

        Assert.Equal("Backfill complete: 12000 processed, 12000 updated, 0 skipped, 0 errors", LastLine(one.Stdout));
        Assert.Equal("Backfill complete: 12000 processed, 12000 updated, 0 skipped, 0 errors", LastLine(two.Stdout));
        Assert.All(shardRuns, r => Assert.Equal(0, r.ExitCode));
        Assert.Equal(
            [2001, 9999], // ids 1 .. 9,999 in block 0, 10,000 .. 12,000 in block 1
            shardRuns.Select(r => int.Parse(LastLine(r.Stdout).Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture)).Order());
        await CliSeed.AssertSameMetricsAsync(single, workers, Ct);
        await CliSeed.AssertSameMetricsAsync(single, shards, Ct);
    }

    [Fact]
    public async Task Backfill_TwoWorkersKilledMidRunThenRerun_EndsLikeOneUninterruptedWorker()
    {
        var killed = await CliSeed.CreateAsync(fixture, markets: 20, perMarket: 600, Ct);
        var single = await CliSeed.CreateAsync(fixture, markets: 20, perMarket: 600, Ct);
        using (var run = NetBetProcess.Start(killed, "backfill", "--workers", "2", "--batch-size", "50"))
        {
            await run.FirstStderrLine.WaitAsync(TimeSpan.FromMinutes(2), Ct);
            run.Kill();
            await run.WaitAsync(Ct);
        }

        var filled = await CliSeed.ScalarAsync(killed, "select count(*) from market_derived_metrics where home_back_stake is not null", Ct);
        var rerun = await NetBetProcess.RunAsync(killed, Ct, "backfill", "--workers", "2");
        await NetBetProcess.RunAsync(single, Ct, "backfill", "--workers", "1");

        Assert.InRange(filled, 50, 11_999);
        Assert.Equal($"Backfill complete: {12000 - filled} processed, {12000 - filled} updated, 0 skipped, 0 errors", LastLine(rerun.Stdout));
        await CliSeed.AssertSameMetricsAsync(single, killed, Ct);
    }

    [Fact]
    public async Task Backfill_BadShard_FailsNamingTheOption()
    {
        var db = await CliSeed.CreateAsync(fixture, markets: 1, perMarket: 1, Ct);

        var run = await NetBetProcess.RunAsync(db, Ct, "backfill", "--shard", "3/2");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--shard: '3/2' is not a shard: expected K/N", run.Stderr, StringComparison.Ordinal);
    }

    private static string LastLine(string text) => text.TrimEnd().Split('\n')[^1].Trim();
}

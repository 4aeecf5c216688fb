using System.CommandLine;
using System.Text.Json;
using NetBet.Cli.Backfill;
using NetBet.Core.Metrics;
using NetBet.Data.Cluster;

namespace NetBet.Cli.Tests.Backfill;

/// <summary>End-to-end runs of <c>netbet backfill</c>, <c>audit</c> and <c>spot-check</c> as child processes.</summary>
public sealed class BackfillCliTests(CliDatabaseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Backfill_KilledMidRunThenRerun_EndsLikeAnUninterruptedRun()
    {
        var interrupted = await CliSeed.CreateAsync(fixture, markets: 10, perMarket: 300, Ct);
        var uninterrupted = await CliSeed.CreateAsync(fixture, markets: 10, perMarket: 300, Ct);

        using (var run = NetBetProcess.Start(interrupted, "backfill", "--batch-size", "10"))
        {
            await run.FirstStderrLine.WaitAsync(TimeSpan.FromMinutes(2), Ct);
            run.Kill();
            await run.WaitAsync(Ct);
            Assert.StartsWith("batch 1: 10/3000", run.Stderr, StringComparison.Ordinal);
        }

        var filledAfterKill = await CliSeed.ScalarAsync(interrupted, "select count(*) from market_derived_metrics where home_back_stake is not null", Ct);
        Assert.InRange(filledAfterKill, 10, 2990);

        var rerun = await NetBetProcess.RunAsync(interrupted, Ct, "backfill", "--batch-size", "10");
        var full = await NetBetProcess.RunAsync(uninterrupted, Ct, "backfill");

        Assert.Equal(0, rerun.ExitCode);
        Assert.Equal($"Backfill complete: {3000 - filledAfterKill} processed, {3000 - filledAfterKill} updated, 0 skipped, 0 errors", LastLine(rerun.Stdout));
        Assert.Equal("Backfill complete: 3000 processed, 3000 updated, 0 skipped, 0 errors", LastLine(full.Stdout));
        var expected = await CliSeed.ReadMetricsAsync(uninterrupted, Ct);
        var actual = await CliSeed.ReadMetricsAsync(interrupted, Ct);
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (key, row) in expected)
        {
            Assert.Equal(row, actual[key]);
        }

        var again = await NetBetProcess.RunAsync(interrupted, Ct, "backfill");
        Assert.Equal("Backfill complete: 0 processed, 0 updated, 0 skipped, 0 errors", LastLine(again.Stdout));
    }

    [Fact]
    public async Task Backfill_CtrlC_FinishesTheBatchPrintsAnExactSummaryAndExits130()
    {
        var db = await CliSeed.CreateAsync(fixture, markets: 10, perMarket: 300, Ct);

        using var run = NetBetProcess.Start(db, "backfill", "--batch-size", "10");
        await run.FirstStderrLine.WaitAsync(TimeSpan.FromMinutes(2), Ct);
        await run.InterruptAsync(Ct);
        var exitCode = await run.WaitAsync(Ct);

        Assert.Equal(ExitCodes.Interrupted, exitCode);
        var filled = await CliSeed.ScalarAsync(db, "select count(*) from market_derived_metrics where home_back_stake is not null", Ct);
        Assert.InRange(filled, 10, 2990);
        Assert.Equal(0, filled % 10);
        Assert.Equal($"Backfill complete: {filled} processed, {filled} updated, 0 skipped, 0 errors", LastLine(await run.Stdout));
    }

    [Fact]
    public async Task Backfill_MalformedPayload_ExitsOneAndNamesTheSnapshot()
    {
        var db = await CliSeed.CreateAsync(fixture, markets: 2, perMarket: 50, Ct);
        var bad = await CliSeed.ScalarAsync(db, "select snapshot_id from market_book_snapshots order by snapshot_id offset 30 limit 1", Ct);
        await CliSeed.ExecuteAsync(db, """update market_book_snapshots set raw_payload = jsonb_set(raw_payload, '{runners,1,ex,availableToLay,0,size}', '"12.5"') where snapshot_id = @bad""", Ct, new { bad });

        var (exitCode, stdout, stderr) = await NetBetProcess.RunAsync(db, Ct, "backfill", "--batch-size", "16");

        Assert.Equal(ExitCodes.Failed, exitCode);
        Assert.Equal("Backfill complete: 100 processed, 99 updated, 0 skipped, 1 errors", LastLine(stdout));
        Assert.Contains($"error: snapshot {bad}: expected a number, got a string at $.runners[1].ex.availableToLay[0].size", stdout, StringComparison.Ordinal);
        Assert.Contains($"snapshot {bad}:", stderr, StringComparison.Ordinal);
        Assert.Contains("batch 7: 100/100", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backfill_UnknownColumn_ExitsTwoNamingIt()
    {
        var db = await CliSeed.CreateAsync(fixture, markets: 1, perMarket: 3, Ct);

        var (exitCode, _, stderr) = await NetBetProcess.RunAsync(db, Ct, "backfill", "--columns", "home_back_stake,home_bogus");

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Contains("'home_bogus'", stderr, StringComparison.Ordinal);
        Assert.Equal(3, await CliSeed.ScalarAsync(db, "select count(*) from market_derived_metrics where home_back_stake is null", Ct));
    }

    [Fact]
    public async Task Backfill_DryRunThenVerify_WritesNothingAndReports()
    {
        var db = await CliSeed.CreateAsync(fixture, markets: 2, perMarket: 20, Ct);

        var dry = await NetBetProcess.RunAsync(db, Ct, "backfill", "--dry-run", "--columns", "home_back_stake,away_lay_odds");

        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("Dry run: nothing was written.", dry.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"home_back_stake\s+40", dry.Stdout);
        Assert.Matches(@"away_lay_odds\s+40", dry.Stdout);
        Assert.Equal("Backfill complete: 40 processed, 40 updated, 0 skipped, 0 errors", LastLine(dry.Stdout));
        Assert.Equal(40, await CliSeed.ScalarAsync(db, "select count(*) from market_derived_metrics where home_back_stake is null", Ct));

        await NetBetProcess.RunAsync(db, Ct, "backfill");
        await CliSeed.ExecuteAsync(db, "update market_derived_metrics set draw_spread = draw_spread + 0.5 where snapshot_id = (select min(snapshot_id) from market_derived_metrics)", Ct);
        var verify = await NetBetProcess.RunAsync(db, Ct, "backfill", "--verify");

        Assert.Equal(ExitCodes.Failed, verify.ExitCode);
        Assert.Contains($"{40 * MetricColumns.Count} stored values compared, 1 differ", verify.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"\d+\s+draw_spread\s+", verify.Stdout);
    }

    [Fact]
    public async Task Audit_JsonAndMarkdown_FollowTheContract()
    {
        var db = await CliSeed.CreateAsync(fixture, markets: 2, perMarket: 10, Ct);
        var markdown = Path.Combine(Path.GetTempPath(), $"netbet-audit-{Guid.NewGuid():N}.md");

        var (exitCode, stdout, _) = await NetBetProcess.RunAsync(db, Ct, "audit", "--json", "--markdown", markdown);

        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal(20, root.GetProperty("total_snapshots").GetInt64());
        Assert.Equal(20, root.GetProperty("raw_payload_rows").GetInt64());
        Assert.Equal(JsonValueKind.String, root.GetProperty("oldest").ValueKind);
        Assert.Equal(JsonValueKind.String, root.GetProperty("newest").ValueKind);
        var columns = root.GetProperty("columns").EnumerateArray().ToList();
        Assert.Equal(MetricColumns.Names, columns.Select(c => c.GetProperty("name").GetString()));
        var backStake = columns.Single(c => c.GetProperty("name").GetString() == "home_back_stake");
        Assert.Equal((20, 100.0, "A"), (backStake.GetProperty("null_count").GetInt64(), backStake.GetProperty("null_pct").GetDouble(), backStake.GetProperty("tier").GetString()));
        Assert.Equal("-", columns[0].GetProperty("tier").GetString());
        var backfill = root.GetProperty("backfill");
        Assert.Equal(20, backfill.GetProperty("would_update").GetInt64());
        Assert.Equal(0, backfill.GetProperty("would_skip").GetInt64());
        Assert.Equal(JsonValueKind.Object, backfill.GetProperty("skip_reasons").ValueKind);

        var text = await File.ReadAllTextAsync(markdown, Ct);
        File.Delete(markdown);
        Assert.Contains("## A) Inventory", text, StringComparison.Ordinal);
        Assert.Contains("| home_back_stake | 20 | 100.00 | 20 | A |", text, StringComparison.Ordinal);

        var table = await NetBetProcess.RunAsync(db, Ct, "audit");
        Assert.Contains("E) What a backfill", table.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"home_back_stake\s+20\s+100\.00\s+20\s+A", table.Stdout);
    }

    [Fact]
    public async Task SpotCheck_BeforeAndAfterBackfill_ShowsDashesThenValues()
    {
        var db = await CliSeed.CreateAsync(fixture, markets: 1, perMarket: 8, Ct);

        var before = await NetBetProcess.RunAsync(db, Ct, "spot-check", "--limit", "3");
        await NetBetProcess.RunAsync(db, Ct, "backfill");
        var after = await NetBetProcess.RunAsync(db, Ct, "spot-check", "--oldest", "--market", ScratchBooks.MarketId(0));

        Assert.Equal(0, before.ExitCode);
        var beforeLines = before.Stdout.TrimEnd().Split('\n');
        Assert.Equal(2 + 3, beforeLines.Length);
        Assert.StartsWith("snapshot_at", beforeLines[0], StringComparison.Ordinal);
        Assert.Equal(12, beforeLines[2].Split("—").Length - 1);
        var afterLines = after.Stdout.TrimEnd().Split('\n');
        Assert.Equal(2 + 5, afterLines.Length);
        Assert.Contains("2026-02-07 12:00:00Z", afterLines[2], StringComparison.Ordinal);
        Assert.DoesNotContain("—", after.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BackfillOptions_AreReadAsDeclared()
    {
        var command = new BackfillCommand();
        var result = new RootCommand { command }.Parse("backfill --batch-size 2000 --limit 10 --columns a,b --market 1.2 --from 2026-02-01 --to 2026-02-14T12:00:00Z --dry-run");

        Assert.Empty(result.Errors);
        Assert.Equal(2000, result.GetValue(command.BatchSize));
        Assert.Equal(10, result.GetValue(command.Limit));
        Assert.Equal("a,b", result.GetValue(command.Columns));
        Assert.Equal("1.2", result.GetValue(command.Market));
        Assert.Equal(new DateTimeOffset(2026, 2, 14, 12, 0, 0, TimeSpan.Zero), result.GetValue(command.To));
        Assert.True(result.GetValue(command.DryRun));
        Assert.False(result.GetValue(command.Verify));
    }

    [Fact]
    public void Parse_BatchSizeZero_IsAnError()
    {
        var result = new RootCommand { new BackfillCommand() }.Parse("backfill --batch-size 0");

        Assert.NotEmpty(result.Errors);
    }

    private static string LastLine(string text) => text.TrimEnd().Split('\n')[^1];
}

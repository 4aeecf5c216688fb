using NetBet.Cli.Tests.Backfill;

namespace NetBet.Cli.Tests.Partitions;

/// <summary>End-to-end runs of <c>netbet partitions ensure</c> and <c>list</c>.</summary>
public sealed class PartitionsCliTests(CliDatabaseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ensure_TwiceThenList_CreatesOnceAndListsEveryMonthWithItsRows()
    {
        var db = await CliSeed.CreateAsync(fixture, markets: 2, perMarket: 10, Ct);

        var first = await NetBetProcess.RunAsync(db, Ct, "partitions", "ensure", "--from", "2024-11", "--to", "2025-01");
        var second = await NetBetProcess.RunAsync(db, Ct, "partitions", "ensure", "--from", "2024-12", "--to", "2025-01");
        var list = await NetBetProcess.RunAsync(db, Ct, "partitions", "list");

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(["2024-11  created", "2024-12  created", "2025-01  created"], Lines(first.Stdout));
        Assert.Equal(["2024-12  exists", "2025-01  exists"], Lines(second.Stdout));
        Assert.Equal(0, list.ExitCode);
        var lines = Lines(list.Stdout);
        Assert.Matches(@"^month\s+snapshots\s+derived\s+size$", lines[0]);
        Assert.Equal(["2024-11", "2024-12", "2025-01", "2026-02"], lines.Skip(2).Select(l => l[..7]));
        Assert.Matches(@"^2026-02\s+20\s+20\s+[0-9.]+ KiB$", lines[^1]);
        Assert.Matches(@"^2025-01\s+0\s+0\s+", lines[^2]);
    }

    [Theory]
    [InlineData("2024-13", "2025-01", "--from: '2024-13' is not a month: expected YYYY-MM")]
    [InlineData("2025-02", "2025-01", "--from 2025-02 is after --to 2025-01")]
    public async Task Ensure_BadRange_FailsNamingTheOption(string from, string to, string message)
    {
        var db = await CliSeed.CreateAsync(fixture, markets: 1, perMarket: 1, Ct);

        var run = await NetBetProcess.RunAsync(db, Ct, "partitions", "ensure", "--from", from, "--to", to);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, await CliSeed.ScalarAsync(db, "select count(*) from pg_class where relname like '%_y2025m01'", Ct));
    }

    [Fact]
    public async Task Audit_FromTo_ReportsOnlyThatRange()
    {
        var db = await CliSeed.CreateAsync(fixture, markets: 1, perMarket: 10, Ct);

        var run = await NetBetProcess.RunAsync(db, Ct, "audit", "--json", "--from", "2026-02-07T12:05:00Z", "--to", "2026-03-01T00:00:00Z");
        var table = await NetBetProcess.RunAsync(db, Ct, "audit", "--from", "2026-02-07T12:05:00Z");

        Assert.Equal(0, run.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(run.Stdout);
        Assert.Equal(5, json.RootElement.GetProperty("total_snapshots").GetInt64());
        Assert.Equal("2026-03-01T00:00:00Z", json.RootElement.GetProperty("to").GetString());
        Assert.Contains("2026-02-07 12:05:00Z .. (any time)", table.Stdout, StringComparison.Ordinal);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

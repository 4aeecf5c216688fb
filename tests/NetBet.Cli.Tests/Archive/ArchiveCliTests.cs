using System.Text.Json;
using NetBet.Cli.Tests.Backfill;

namespace NetBet.Cli.Tests.Archive;

/// <summary>End-to-end runs of <c>netbet archive</c> and <c>netbet restore</c>.</summary>
public sealed class ArchiveCliTests(CliDatabaseFixture fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("netbet-archive-cli-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ArchiveAuditRestore_TheMonthLeavesIsListedAndComesBack()
    {
        var db = await CliSeed.CreateAsync(fixture, markets: 2, perMarket: 10, Ct);
        var metricsBefore = await CliSeed.ReadMetricsAsync(db, Ct);

        var archive = await NetBetProcess.RunAsync(db, Ct, "archive", "--before", "2026-03", "--to", _directory);
        var audit = await NetBetProcess.RunAsync(db, Ct, "audit", "--json");
        var restore = await NetBetProcess.RunAsync(db, Ct, "restore", _directory);
        var again = await NetBetProcess.RunAsync(db, Ct, "restore", Path.Combine(_directory, "2026-02"));

        Assert.Equal(0, archive.ExitCode);
        Assert.StartsWith($"2026-02  archived 20 snapshots, 20 derived rows, 2 markets to {Path.Combine(_directory, "2026-02")}", archive.Stdout, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(audit.Stdout))
        {
            Assert.Equal(0, json.RootElement.GetProperty("total_snapshots").GetInt64());
            var archived = Assert.Single(json.RootElement.GetProperty("archived_months").EnumerateArray());
            Assert.Equal(("2026-02", 20), (archived.GetProperty("month").GetString(), archived.GetProperty("snapshot_rows").GetInt64()));
        }

        Assert.Equal(0, restore.ExitCode);
        Assert.Contains("2026-02  restored 20 of 20 snapshots", restore.Stdout, StringComparison.Ordinal);
        Assert.Contains("2026-02  restored 0 of 20 snapshots", again.Stdout, StringComparison.Ordinal);
        var metricsAfter = await CliSeed.ReadMetricsAsync(db, Ct);
        Assert.Equal(metricsBefore, metricsAfter);
    }

    [Fact]
    public async Task Restore_NotAnArchive_FailsNamingThePath()
    {
        var db = await CliSeed.CreateAsync(fixture, markets: 1, perMarket: 1, Ct);

        var run = await NetBetProcess.RunAsync(db, Ct, "restore", _directory);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"netbet restore: {_directory}: no manifest.json", run.Stderr, StringComparison.Ordinal);
    }
}

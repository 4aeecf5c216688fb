using NetBet.Cli.Tests.Backfill;

namespace NetBet.Cli.Tests.Status;

/// <summary><c>netbet status</c> as a child process, on a database with history and on one never migrated.</summary>
public sealed class StatusCommandTests(CliDatabaseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Status_StoredHistory_CountsSnapshotsAndNewest()
    {
        var db = await CliSeed.CreateAsync(fixture, markets: 2, perMarket: 3, Ct);

        var (exitCode, stdout, _) = await NetBetProcess.RunAsync(db, Ct, "status");

        Assert.Equal(0, exitCode);
        Assert.Contains("Snapshots:      6, newest 2026-02-07 12:02:01Z", stdout, StringComparison.Ordinal);
        Assert.Contains("Last poll tick: never", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_EmptyDatabase_SaysWhatToMigrate()
    {
        var db = await fixture.CreateDatabaseAsync(migrated: false, Ct);

        var (exitCode, stdout, _) = await NetBetProcess.RunAsync(db, Ct, "status");

        Assert.Equal(0, exitCode);
        Assert.Contains("Schema version: empty (run 'netbet migrate')", stdout, StringComparison.Ordinal);
        Assert.Contains("Snapshots:      no snapshot table (run 'netbet migrate')", stdout, StringComparison.Ordinal);
        Assert.Contains("Last poll tick: unknown (no service_state table: run 'netbet migrate')", stdout, StringComparison.Ordinal);
    }
}

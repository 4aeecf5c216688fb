using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Data.Migrations;
using Npgsql;

namespace NetBet.Data.Tests.Migrations;

/// <summary>Flyway's out-of-order rule: a pending migration older than the newest applied one is refused unless allowed.</summary>
public sealed class MigrationOrderTests(DatabaseFixture fixture)
{
    private static readonly Migration First = Migration.FromText("2000-01-01_first", "create table order_first (id integer);\n");
    private static readonly Migration LateBranch = Migration.FromText("2000-01-02_late_branch", "create table order_late_branch (id integer);\n");
    private static readonly Migration Third = Migration.FromText("2000-01-03_third", "create table order_third (id integer);\n");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MigrateAsync_PendingOlderThanNewestApplied_IsRefusedNamingBothAndTheOption()
    {
        await using var dataSource = await DatabaseWithFirstAndThirdAppliedAsync();
        var runner = Runner(dataSource, First, LateBranch, Third);

        var error = await Assert.ThrowsAsync<MigrationException>(() => runner.MigrateAsync(null, dryRun: false, null, Ct));

        Assert.Contains(LateBranch.Id, error.Message, StringComparison.Ordinal);
        Assert.Contains(Third.Id, error.Message, StringComparison.Ordinal);
        Assert.Contains("--allow-out-of-order", error.Message, StringComparison.Ordinal);
        Assert.False((await runner.GetStatusAsync(Ct)).Single(s => s.Migration.Id == LateBranch.Id).IsApplied);
        await Assert.ThrowsAsync<MigrationException>(() => runner.MigrateAsync(LateBranch.Id, dryRun: true, null, Ct));
    }

    [Fact]
    public async Task MigrateAsync_PendingOlderThanNewestAppliedWithAllowOutOfOrder_AppliesIt()
    {
        await using var dataSource = await DatabaseWithFirstAndThirdAppliedAsync();
        var runner = Runner(dataSource, First, LateBranch, Third);

        var report = await runner.MigrateAsync(null, dryRun: false, new MigrationOptions { AllowOutOfOrder = true }, null, Ct);

        Assert.Equal([LateBranch.Id], report.Applied.Select(a => a.Migration.Id));
        Assert.All(await runner.GetStatusAsync(Ct), s => Assert.True(s.IsApplied));
    }

    [Fact]
    public async Task MigrateAsync_ToATargetBeforeNewerPendingOnes_IsInOrder()
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: false, Ct));
        var runner = Runner(dataSource, First, LateBranch, Third);

        var toFirst = await runner.MigrateAsync(First.Id, dryRun: false, null, Ct);
        var toSecond = await runner.MigrateAsync(LateBranch.Id, dryRun: false, null, Ct);
        var rest = await runner.MigrateAsync(null, dryRun: false, null, Ct);

        Assert.Equal([[First.Id], [LateBranch.Id], [Third.Id]], new[] { toFirst, toSecond, rest }.Select(r => r.Applied.Select(a => a.Migration.Id).ToArray()));
        await using var connection = await dataSource.OpenConnectionAsync(Ct);
        Assert.Equal(3, await connection.ExecuteScalarAsync<int>("select count(*) from schema_migrations"));
    }

    private async Task<NpgsqlDataSource> DatabaseWithFirstAndThirdAppliedAsync()
    {
        var dataSource = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: false, Ct));
        await Runner(dataSource, First, Third).MigrateAsync(null, dryRun: false, null, Ct);
        return dataSource;
    }

    private static MigrationRunner Runner(NpgsqlDataSource dataSource, params Migration[] migrations) =>
        new(dataSource, NullLogger<MigrationRunner>.Instance, migrations);
}

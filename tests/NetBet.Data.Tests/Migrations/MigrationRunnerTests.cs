using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Core.Metrics;
using NetBet.Data.Backfill;
using NetBet.Data.Migrations;
using Npgsql;

namespace NetBet.Data.Tests.Migrations;

public sealed class MigrationRunnerTests(DatabaseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Catalog_Always_StartsWithTheSeedHistory()
    {
        var ids = MigrationCatalog.All.Select(m => m.Id).ToList();
        Assert.Equal(["2026-02-06_base_schema", "2026-02-13_add_impedance_input_columns", "2026-02-14_add_l1_size_columns"], ids.Take(3));
        Assert.Contains("2026-11-26_add_service_state", ids);
        Assert.All(MigrationCatalog.All, m => Assert.Matches("^[0-9a-f]{64}$", m.Checksum));
    }

    [Fact]
    public void Checksum_CrLfLineEndings_EqualsLf()
    {
        Assert.Equal(Migration.ComputeChecksum("select 1;\nselect 2;\n"), Migration.ComputeChecksum("select 1;\r\nselect 2;\r\n"));
    }

    [Fact]
    public async Task MigrateAsync_EmptyDatabaseStepByStep_AppliesOneTargetAtATime()
    {
        await using var dataSource = await EmptyDatabaseAsync();
        var runner = Runner(dataSource);

        foreach (var migration in MigrationCatalog.All)
        {
            var report = await runner.MigrateAsync(migration.Id, dryRun: false, null, Ct);
            Assert.Equal([migration.Id], report.Applied.Select(a => a.Migration.Id));

            var status = await runner.GetStatusAsync(Ct);
            var appliedIds = status.Where(s => s.IsApplied).Select(s => s.Migration.Id).ToList();
            Assert.Equal(MigrationCatalog.All.TakeWhile(m => string.CompareOrdinal(m.Id, migration.Id) <= 0).Select(m => m.Id), appliedIds);
        }

        var columns = await DerivedColumnsAsync(dataSource);
        Assert.All(MetricColumns.Names, name => Assert.Contains(name, columns));
    }

    [Fact]
    public async Task MigrateAsync_BaseSchemaOnly_LacksTheEighteenLaterColumns()
    {
        await using var dataSource = await EmptyDatabaseAsync();
        await Runner(dataSource).MigrateAsync("2026-02-06_base_schema", dryRun: false, null, Ct);

        var columns = await DerivedColumnsAsync(dataSource);
        Assert.Equal(18, MetricSchema.AddedAfterBaseSchema.Count);
        Assert.All(MetricSchema.AddedAfterBaseSchema, name => Assert.DoesNotContain(name, columns));
        Assert.All(MetricColumns.Names.Except(MetricSchema.AddedAfterBaseSchema), name => Assert.Contains(name, columns));
    }

    [Fact]
    public async Task MigrateAsync_RunTwice_SecondRunAppliesNothing()
    {
        await using var dataSource = await EmptyDatabaseAsync();
        var runner = Runner(dataSource);

        var first = await runner.MigrateAsync(null, dryRun: false, null, Ct);
        var second = await runner.MigrateAsync(null, dryRun: false, null, Ct);

        Assert.Equal(MigrationCatalog.All.Count, first.Applied.Count);
        Assert.Empty(second.Applied);
        Assert.All(await runner.GetStatusAsync(Ct), s => Assert.True(s.IsApplied));
    }

    [Fact]
    public async Task MigrateAsync_TwoConcurrentRuns_BothSucceedAndEachMigrationIsAppliedOnce()
    {
        await using var dataSource = await EmptyDatabaseAsync();

        var runs = await Task.WhenAll(
            Task.Run(() => Runner(dataSource).MigrateAsync(null, dryRun: false, null, Ct), Ct),
            Task.Run(() => Runner(dataSource).MigrateAsync(null, dryRun: false, null, Ct), Ct));

        Assert.Equal(MigrationCatalog.All.Count, runs.Sum(r => r.Applied.Count));
        await using var connection = await dataSource.OpenConnectionAsync(Ct);
        Assert.Equal(MigrationCatalog.All.Count, await connection.ExecuteScalarAsync<int>("select count(*) from schema_migrations"));
    }

    [Fact]
    public async Task MigrateAsync_DryRun_AppliesNothingAndCreatesNoHistory()
    {
        await using var dataSource = await EmptyDatabaseAsync();

        var report = await Runner(dataSource).MigrateAsync("2026-02-13_add_impedance_input_columns", dryRun: true, null, Ct);

        Assert.Equal(["2026-02-06_base_schema", "2026-02-13_add_impedance_input_columns"], report.Planned.Select(m => m.Id));
        Assert.Empty(report.Applied);
        await using var connection = await dataSource.OpenConnectionAsync(Ct);
        Assert.False(await connection.ExecuteScalarAsync<bool>("select to_regclass('schema_migrations') is not null"));
    }

    [Fact]
    public async Task MigrateAsync_TamperedChecksum_RefusesNamingTheIdAndBothChecksums()
    {
        await using var dataSource = await EmptyDatabaseAsync();
        var runner = Runner(dataSource);
        await runner.MigrateAsync("2026-02-13_add_impedance_input_columns", dryRun: false, null, Ct);
        await using (var connection = await dataSource.OpenConnectionAsync(Ct))
        {
            await connection.ExecuteAsync("update schema_migrations set checksum = repeat('0', 64) where id = '2026-02-13_add_impedance_input_columns'");
        }

        var error = await Assert.ThrowsAsync<MigrationException>(() => runner.MigrateAsync(null, dryRun: false, null, Ct));
        Assert.Contains("2026-02-13_add_impedance_input_columns", error.Message, StringComparison.Ordinal);
        Assert.Contains(new string('0', 64), error.Message, StringComparison.Ordinal);
        Assert.Contains(MigrationCatalog.Find("2026-02-13_add_impedance_input_columns")!.Checksum, error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<MigrationException>(() => runner.GetStatusAsync(Ct));
    }

    [Fact]
    public async Task MigrateAsync_ChangedScriptText_IsRefused()
    {
        await using var dataSource = await EmptyDatabaseAsync();
        var original = MigrationCatalog.All[0];
        await Runner(dataSource).MigrateAsync(original.Id, dryRun: false, null, Ct);
        var edited = Migration.FromText(original.Id, original.Sql + "\n-- an innocent comment\n");

        var runner = new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance, [edited]);

        var error = await Assert.ThrowsAsync<MigrationException>(() => runner.MigrateAsync(null, dryRun: false, null, Ct));
        Assert.Contains(original.Id, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAsync_UnknownAppliedId_IsRefused()
    {
        await using var dataSource = await EmptyDatabaseAsync();
        var runner = Runner(dataSource);
        await runner.MigrateAsync(null, dryRun: false, null, Ct);
        await using (var connection = await dataSource.OpenConnectionAsync(Ct))
        {
            await connection.ExecuteAsync("insert into schema_migrations (id, checksum) values ('2099-01-01_from_the_future', 'abc')");
        }

        var error = await Assert.ThrowsAsync<MigrationException>(() => runner.GetStatusAsync(Ct));
        Assert.Contains("2099-01-01_from_the_future", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAsync_UnknownTarget_ListsTheValidIds()
    {
        await using var dataSource = await EmptyDatabaseAsync();

        var error = await Assert.ThrowsAsync<MigrationException>(() => Runner(dataSource).MigrateAsync("2026-02-07_nope", dryRun: false, null, Ct));

        Assert.Contains("2026-02-07_nope", error.Message, StringComparison.Ordinal);
        Assert.Contains("2026-02-06_base_schema", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAsync_OperatorAddedAColumnByHand_StillApplies()
    {
        await using var dataSource = await EmptyDatabaseAsync();
        var runner = Runner(dataSource);
        await runner.MigrateAsync("2026-02-06_base_schema", dryRun: false, null, Ct);
        await using (var connection = await dataSource.OpenConnectionAsync(Ct))
        {
            await connection.ExecuteAsync("alter table market_derived_metrics add column home_back_stake double precision");
        }

        var report = await runner.MigrateAsync(null, dryRun: false, null, Ct);

        Assert.Equal(MigrationCatalog.All.Count - 1, report.Applied.Count);
    }

    private static MigrationRunner Runner(NpgsqlDataSource dataSource) => new(dataSource, NullLogger<MigrationRunner>.Instance);

    private async Task<NpgsqlDataSource> EmptyDatabaseAsync() =>
        NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: false, Ct));

    private static async Task<HashSet<string>> DerivedColumnsAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync(Ct);
        var columns = await connection.QueryAsync<string>(
            "select column_name from information_schema.columns where table_schema = current_schema() and table_name = 'market_derived_metrics'");
        return [.. columns];
    }
}

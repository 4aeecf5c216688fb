using Dapper;
using NetBet.Data.Migrations;
using Npgsql;

namespace NetBet.Cli.Tests.Database;

/// <summary><c>netbet migrate</c> as an operator runs it: lock timeouts and the out-of-order rule.</summary>
public sealed class MigrateCliTests(CliDatabaseFixture fixture)
{
    private const string Impedance = "2026-02-13_add_impedance_input_columns";
    private const string L1Sizes = "2026-02-14_add_l1_size_columns";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Migrate_BehindAnOpenReader_RetriesAfterTheLockTimeoutAndFinishesWhenItEnds()
    {
        var db = await fixture.CreateBaseSchemaDatabaseAsync(Ct);
        await using var dataSource = NpgsqlDataSource.Create(db);
        await using var reader = await dataSource.OpenConnectionAsync(Ct);
        await using var transaction = await reader.BeginTransactionAsync(Ct);
        await reader.ExecuteScalarAsync<long>(new CommandDefinition("select count(*) from market_derived_metrics", transaction: transaction, cancellationToken: Ct));

        using var migrate = NetBetProcess.Start(db, "migrate", "--to", Impedance, "--lock-timeout", "200ms");
        await migrate.FirstStderrLine.WaitAsync(Ct);
        await transaction.CommitAsync(Ct);
        var exitCode = await migrate.WaitAsync(Ct);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains($"{Impedance} could not get a lock within its 200 ms lock_timeout", migrate.Stderr, StringComparison.Ordinal);
        Assert.Contains("after lock timeouts", migrate.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_PendingOlderThanNewestApplied_ExitsOneUntilAllowed()
    {
        var db = await fixture.CreateBaseSchemaDatabaseAsync(Ct);
        await using (var connection = new NpgsqlConnection(db))
        {
            // As if a later branch's migration had been applied first: the history says so, whatever the schema.
            await connection.ExecuteAsync(
                "insert into schema_migrations (id, checksum) values (@id, @checksum)",
                new { id = L1Sizes, checksum = MigrationCatalog.Find(L1Sizes)!.Checksum });
        }

        var status = await NetBetProcess.RunAsync(db, Ct, "migrate", "status");
        var refused = await NetBetProcess.RunAsync(db, Ct, "migrate");
        var allowed = await NetBetProcess.RunAsync(db, Ct, "migrate", "--to", Impedance, "--allow-out-of-order");

        Assert.Equal(ExitCodes.Success, status.ExitCode);
        Assert.Matches($"{Impedance} +pending .* out of order", status.Stdout);
        Assert.Equal(ExitCodes.Failed, refused.ExitCode);
        Assert.Contains(Impedance, refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("--allow-out-of-order", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, allowed.ExitCode);
        Assert.Contains($"applied {Impedance}", allowed.Stderr, StringComparison.Ordinal);
    }
}

using NetBet.Data.Cluster;

[assembly: AssemblyFixture(typeof(NetBet.Cli.Tests.CliDatabaseFixture))]

namespace NetBet.Cli.Tests;

/// <summary>
/// One PostgreSQL server for the CLI tests (<see cref="ScratchDatabaseFixture"/>). Each test gets a database of its
/// own cloned from a template migrated to the base schema (the seed's starting point). No server fails the run.
/// </summary>
public sealed class CliDatabaseFixture() : ScratchDatabaseFixture("netbet_cli_test", BaseSchema), IAsyncLifetime
{
    public const string BaseSchema = "2026-02-06_base_schema";

    /// <summary>A new database at the base schema; returns its connection string.</summary>
    public Task<string> CreateBaseSchemaDatabaseAsync(CancellationToken cancellationToken) =>
        CreateDatabaseAsync(migrated: true, cancellationToken);
}

using NetBet.Data.Cluster;
using Npgsql;

[assembly: AssemblyFixture(typeof(NetBet.Cli.Tests.CliDatabaseFixture))]

namespace NetBet.Cli.Tests;

/// <summary>
/// One PostgreSQL server for the CLI tests (<see cref="ScratchDatabases"/>): a throwaway cluster from the machine's
/// binaries, or the server <c>NETBET_DB</c> names. Each test gets a database of its own cloned from a template
/// migrated to the base schema (the seed's starting point). No server fails the run.
/// </summary>
public sealed class CliDatabaseFixture : IAsyncLifetime
{
    public const string BaseSchema = "2026-02-06_base_schema";

    private ScratchDatabases _server = null!;
    private string _template = "";

    public async ValueTask InitializeAsync()
    {
        _server = await ScratchDatabases.StartAsync("netbet_cli_test", CancellationToken.None);
        _template = await _server.CreateTemplateAsync(BaseSchema, CancellationToken.None);
    }

    /// <summary>A new database at the base schema; returns its connection string.</summary>
    public Task<string> CreateBaseSchemaDatabaseAsync(CancellationToken cancellationToken) =>
        _server.CreateAsync(_template, cancellationToken);

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

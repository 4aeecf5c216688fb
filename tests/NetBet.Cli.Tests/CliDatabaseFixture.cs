using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Data;
using NetBet.Data.Cluster;
using NetBet.Data.Migrations;
using Npgsql;

[assembly: AssemblyFixture(typeof(NetBet.Cli.Tests.CliDatabaseFixture))]

namespace NetBet.Cli.Tests;

/// <summary>
/// One PostgreSQL server for the CLI tests, shaped like NetBet.Data.Tests' fixture: a throwaway cluster from the
/// machine's binaries, or the server <c>NETBET_DB</c> names. Each test gets a database of its own, empty or cloned
/// from a template migrated to the base schema (the seed's starting point). No server fails the run.
/// </summary>
public sealed class CliDatabaseFixture : IAsyncLifetime
{
    public const string BaseSchema = "2026-02-06_base_schema";

    private readonly string _prefix = "netbet_cli_test_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    private readonly List<string> _created = [];
    private PostgresCluster? _cluster;
    private string _server = "";
    private int _count;

    private string BaseTemplate => _prefix + "_base";

    public async ValueTask InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(NetBetDatabase.ConnectionStringVariable);
        if (string.IsNullOrWhiteSpace(configured))
        {
            _cluster = await PostgresCluster.StartTemporaryAsync(logger: null, CancellationToken.None);
            _server = _cluster.GetConnectionString("postgres");
        }
        else
        {
            _server = configured;
        }

        await PostgresCluster.CreateDatabaseAsync(_server, BaseTemplate, template: null, CancellationToken.None);
        _created.Add(BaseTemplate);
        await using var dataSource = NpgsqlDataSource.Create(
            new NpgsqlConnectionStringBuilder(PostgresCluster.WithDatabase(_server, BaseTemplate)) { Pooling = false }.ConnectionString);
        await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(BaseSchema, dryRun: false, null, CancellationToken.None);
    }

    /// <summary>A new database at the base schema; returns its connection string.</summary>
    public async Task<string> CreateBaseSchemaDatabaseAsync(CancellationToken cancellationToken)
    {
        var name = $"{_prefix}_{Interlocked.Increment(ref _count)}";
        lock (_created)
        {
            _created.Add(name);
        }

        await PostgresCluster.CreateDatabaseAsync(_server, name, BaseTemplate, cancellationToken);
        return PostgresCluster.WithDatabase(_server, name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
            return;
        }

        NpgsqlConnection.ClearAllPools();
        foreach (var name in _created)
        {
            await PostgresCluster.DropDatabaseAsync(_server, name, CancellationToken.None);
        }
    }
}

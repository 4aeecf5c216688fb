using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Data;
using NetBet.Data.Cluster;
using NetBet.Data.Migrations;
using Npgsql;

[assembly: AssemblyFixture(typeof(NetBet.Data.Tests.DatabaseFixture))]

namespace NetBet.Data.Tests;

/// <summary>
/// One PostgreSQL server for the whole test run: a throwaway cluster started from the machine's binaries, or the
/// server <c>NETBET_DB</c> names. A template database is migrated once; tests get clones of it
/// (<c>CREATE DATABASE x TEMPLATE t</c>) or empty databases. No server means the run fails, never skips.
/// With NETBET_DB its user needs CREATEDB; the databases made are dropped at the end. Other test projects copy this
/// shape: the reusable parts are <see cref="PostgresCluster.StartTemporaryAsync(Microsoft.Extensions.Logging.ILogger?, CancellationToken)"/>
/// and <see cref="PostgresCluster.CreateDatabaseAsync"/>.
/// </summary>
public sealed class DatabaseFixture : IAsyncLifetime
{
    private readonly string _prefix = "netbet_test_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    private readonly List<string> _created = [];
    private PostgresCluster? _cluster;
    private string _server = "";
    private int _count;

    private string Template => _prefix + "_template";

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

        await PostgresCluster.CreateDatabaseAsync(_server, Template, template: null, CancellationToken.None);
        _created.Add(Template);
        await using var dataSource = NpgsqlDataSource.Create(
            new NpgsqlConnectionStringBuilder(PostgresCluster.WithDatabase(_server, Template)) { Pooling = false }.ConnectionString);
        await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(null, dryRun: false, null, CancellationToken.None);
    }

    /// <summary>A new database, migrated to the latest schema (a template clone) or empty; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(bool migrated, CancellationToken cancellationToken)
    {
        var name = $"{_prefix}_{Interlocked.Increment(ref _count)}";
        lock (_created)
        {
            _created.Add(name);
        }

        await PostgresCluster.CreateDatabaseAsync(_server, name, migrated ? Template : null, cancellationToken);
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

/// <summary>A migrated database of its own for one test class: <c>IClassFixture&lt;ClassDatabase&gt;</c>.</summary>
public sealed class ClassDatabase(DatabaseFixture fixture) : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        ConnectionString = await fixture.CreateDatabaseAsync(migrated: true, CancellationToken.None);
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}

using NetBet.Data.Cluster;
using Npgsql;

[assembly: AssemblyFixture(typeof(NetBet.Ingest.Tests.DatabaseFixture))]

namespace NetBet.Ingest.Tests;

/// <summary>
/// One PostgreSQL server for the whole test run (<see cref="ScratchDatabases"/>): a throwaway cluster started from
/// the machine's binaries, or the server <c>NETBET_DB</c> names. A template database is migrated once; tests get
/// clones of it or empty databases. No server means the run fails, never skips.
/// </summary>
public sealed class DatabaseFixture : IAsyncLifetime
{
    private ScratchDatabases _server = null!;
    private string _template = "";

    public async ValueTask InitializeAsync()
    {
        _server = await ScratchDatabases.StartAsync("netbet_ingest_test", CancellationToken.None);
        _template = await _server.CreateTemplateAsync(migrateTo: null, CancellationToken.None);
    }

    /// <summary>A new database, migrated to the latest schema (a template clone) or empty; returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync(bool migrated, CancellationToken cancellationToken) =>
        _server.CreateAsync(migrated ? _template : null, cancellationToken);

    public ValueTask DisposeAsync() => _server.DisposeAsync();
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

using NetBet.Data.Cluster;
using Npgsql;

[assembly: AssemblyFixture(typeof(NetBet.Data.Tests.DatabaseFixture))]

namespace NetBet.Data.Tests;

/// <summary>
/// One PostgreSQL server for the whole test run (<see cref="ScratchDatabaseFixture"/>): a throwaway cluster or the
/// server <c>NETBET_DB</c> names, a template migrated once, clones or empty databases per test. No server fails the run.
/// </summary>
public sealed class DatabaseFixture() : ScratchDatabaseFixture("netbet_test"), IAsyncLifetime;

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

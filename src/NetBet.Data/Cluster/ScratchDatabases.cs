using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Data.Migrations;
using Npgsql;

namespace NetBet.Data.Cluster;

/// <summary>
/// One PostgreSQL server for a run of scratch databases (test assemblies, benchmarks): a throwaway cluster started
/// from the machine's binaries with the same launcher the tool uses, or the server <c>NETBET_DB</c> names (its user
/// needs CREATEDB). Databases are created empty or cloned from a template migrated once
/// (<c>CREATE DATABASE x TEMPLATE t</c>). Disposing removes the cluster, or drops every database it made.
/// No server means an exception, never a silent skip.
/// </summary>
public sealed class ScratchDatabases : IAsyncDisposable
{
    private readonly List<string> _created = [];
    private readonly PostgresCluster? _cluster;
    private readonly string _prefix;
    private int _count;

    private ScratchDatabases(PostgresCluster? cluster, string server, string prefix)
    {
        _cluster = cluster;
        Server = server;
        _prefix = prefix + "_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    }

    /// <summary>Connection string of the server's maintenance database.</summary>
    public string Server { get; }

    /// <summary>Starts a throwaway cluster, or uses <c>NETBET_DB</c>'s server when it is set.</summary>
    /// <param name="prefix">Prefix of every database name made, such as <c>netbet_test</c>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<ScratchDatabases> StartAsync(string prefix, CancellationToken cancellationToken)
    {
        var configured = Environment.GetEnvironmentVariable(NetBetDatabase.ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new ScratchDatabases(cluster: null, configured, prefix);
        }

        var cluster = await PostgresCluster.StartTemporaryAsync(logger: null, cancellationToken);
        return new ScratchDatabases(cluster, cluster.GetConnectionString("postgres"), prefix);
    }

    /// <summary>Creates a database migrated up to <paramref name="migrateTo"/> (all migrations when null) and returns its name, for use as a template.</summary>
    public async Task<string> CreateTemplateAsync(string? migrateTo, CancellationToken cancellationToken)
    {
        var name = NextName("template");
        await PostgresCluster.CreateDatabaseAsync(Server, name, template: null, cancellationToken);
        await using var dataSource = NpgsqlDataSource.Create(
            new NpgsqlConnectionStringBuilder(PostgresCluster.WithDatabase(Server, name)) { Pooling = false }.ConnectionString);
        await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(migrateTo, dryRun: false, null, cancellationToken);
        return name;
    }

    /// <summary>Creates a database, a clone of <paramref name="template"/> or empty, and returns its connection string.</summary>
    public async Task<string> CreateAsync(string? template, CancellationToken cancellationToken)
    {
        var name = NextName(null);
        await PostgresCluster.CreateDatabaseAsync(Server, name, template, cancellationToken);
        return PostgresCluster.WithDatabase(Server, name);
    }

    /// <summary>Stops and removes the throwaway cluster, or drops the databases made on <c>NETBET_DB</c>'s server.</summary>
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
            await PostgresCluster.DropDatabaseAsync(Server, name, CancellationToken.None);
        }
    }

    private string NextName(string? suffix)
    {
        var name = $"{_prefix}_{suffix ?? Interlocked.Increment(ref _count).ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        lock (_created)
        {
            _created.Add(name);
        }

        return name;
    }
}

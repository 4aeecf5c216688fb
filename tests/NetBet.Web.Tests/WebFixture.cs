using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Data;
using NetBet.Data.Cluster;
using NetBet.Data.Migrations;
using Npgsql;

[assembly: AssemblyFixture(typeof(NetBet.Web.Tests.WebFixture))]

namespace NetBet.Web.Tests;

/// <summary>
/// One PostgreSQL database and one running web app for the whole test assembly. The server is a throwaway cluster
/// started from the machine's binaries, or the one <c>NETBET_DB</c> names; the database is migrated with the real
/// migrations and seeded through <c>SnapshotWriter</c> and the backfill (<see cref="SeedData"/>). The app listens
/// on a real loopback port (Kestrel), so the browser tests and the API tests talk to the same process. The API is
/// read-only, so the tests can share the data. The app reads as a login in <c>netbet_reader</c>
/// (<c>NETBET_DB_READ</c>), as <c>netbet serve</c> does. No PostgreSQL means the run fails, never skips.
/// </summary>
public sealed class WebFixture : IAsyncLifetime
{
    private ScratchDatabases? _server;

    internal SeedData Seed { get; private set; } = null!;

    /// <summary>The server of the test databases, for tests that need a database of their own.</summary>
    internal ScratchDatabases Server => _server!;

    /// <summary>Connection string of the seeded database (writable; the app itself gets it read-only).</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>A login in netbet_reader, unique to this run (roles are server-wide), with its password.</summary>
    public (string Login, string Password) Reader { get; } =
        ($"netbet_web_test_{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}",
         Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));

    /// <summary>The app's read connection: the seeded database as <see cref="Reader"/>.</summary>
    public string ReadConnectionString => ReaderConnectionString(ConnectionString);

    /// <summary><paramref name="connectionString"/>'s database as <see cref="Reader"/>.</summary>
    public string ReaderConnectionString(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Username = Reader.Login, Password = Reader.Password }.ConnectionString;

    public NetBetWebFactory Factory { get; private set; } = null!;

    /// <summary>The app's address, such as <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress };

    public async ValueTask InitializeAsync()
    {
        _server = await ScratchDatabases.StartAsync("netbet_web_test", CancellationToken.None);
        ConnectionString = await CreateMigratedDatabaseAsync(migrateTo: null, CancellationToken.None);
        await using (var dataSource = NpgsqlDataSource.Create(ConnectionString))
        {
            Seed = await SeedData.WriteAsync(dataSource, DateTimeOffset.UtcNow, CancellationToken.None);
        }

        await ReaderRole.EnsureLoginAsync(_server.Server, Reader.Login, Reader.Password, CancellationToken.None);
        Factory = new NetBetWebFactory(ConnectionString, kestrel: true, new() { [ReadDatabase.ConnectionStringVariable] = ReadConnectionString });
        Factory.StartServer();
        var addresses = Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        BaseAddress = new Uri(addresses.Addresses.First());
    }

    /// <summary>A new database on the test server, migrated up to <paramref name="migrateTo"/> (all when null); its connection string.</summary>
    internal async Task<string> CreateMigratedDatabaseAsync(string? migrateTo, CancellationToken cancellationToken)
    {
        var connectionString = await _server!.CreateAsync(template: null, cancellationToken);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(migrateTo, dryRun: false, null, cancellationToken);
        return connectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (Factory is not null)
        {
            await Factory.DisposeAsync();
        }

        NpgsqlConnection.ClearAllPools();
        if (_server is not null)
        {
            await using (var connection = new NpgsqlConnection(_server.Server))
            {
                await connection.OpenAsync();
                await using var drop = new NpgsqlCommand($"drop role if exists {PostgresCluster.QuoteIdentifier(Reader.Login)}", connection);
                await drop.ExecuteNonQueryAsync();
            }

            await _server.DisposeAsync();
        }
    }
}

/// <summary>
/// The real app (<c>Program</c>) with <c>NETBET_DB</c> (and any <paramref name="settings"/>, such as
/// <c>NETBET_DB_READ</c> or <c>Web:*</c> limits) set through host configuration, which Program.cs reads before
/// building; on Kestrel at a free loopback port, or on the in-memory test server.
/// </summary>
public sealed class NetBetWebFactory : WebApplicationFactory<Program>
{
    private readonly string _connectionString;
    private readonly Dictionary<string, string?> _settings;

    public NetBetWebFactory(string connectionString, bool kestrel, Dictionary<string, string?>? settings = null)
    {
        _connectionString = connectionString;
        _settings = settings ?? [];
        if (kestrel)
        {
            UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        }
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>(_settings)
        {
            [NetBetDatabase.ConnectionStringVariable] = _connectionString,
        }));
        return base.CreateHost(builder);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseEnvironment("Testing");
}

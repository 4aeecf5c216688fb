using System.Security.Cryptography;
using NetBet.Data.Cluster;
using Npgsql;

namespace NetBet.Data.Tests.Cluster;

public sealed class PostgresClusterTests : IAsyncLifetime
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "netbet-home-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EmbeddedDefault_FromNothing_StartsReportsUrlAndStops()
    {
        var cluster = PostgresCluster.ForNetBetHome(_home);
        Assert.Equal(PostgresClusterState.NotInitialized, (await cluster.GetStatusAsync(Ct)).State);

        // What any command does when NETBET_DB is unset: create, start, create the database.
        var connectionString = await NetBetDatabase.ResolveConnectionStringAsync(null, _home, logger: null, Ct);

        var running = await cluster.GetStatusAsync(Ct);
        Assert.Equal(PostgresClusterState.Running, running.State);
        Assert.NotNull(running.ProcessId);
        Assert.Equal(connectionString, cluster.GetConnectionString());
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Assert.Equal(("127.0.0.1", running.Port, NetBetDatabase.DefaultDatabaseName), (builder.Host, (int?)builder.Port, builder.Database));
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(Ct);
            await using var command = new NpgsqlCommand("select current_database()", connection);
            Assert.Equal("netbet", await command.ExecuteScalarAsync(Ct));
        }

        await using (var wrongPassword = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Password = "wrong", Pooling = false }.ConnectionString))
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => wrongPassword.OpenAsync(Ct));
            Assert.Equal(PostgresErrorCodes.InvalidPassword, error.SqlState);
        }

        if (!OperatingSystem.IsWindows())
        {
            var stateFile = Assert.Single(Directory.GetFiles(cluster.Directory, "*.json"));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(stateFile));
        }

        NpgsqlConnection.ClearAllPools();
        Assert.True(await cluster.StopAsync(Ct));
        Assert.Equal(PostgresClusterState.Stopped, (await cluster.GetStatusAsync(Ct)).State);
        Assert.False(await cluster.StopAsync(Ct));

        // Started on demand again, with the same password.
        var again = await NetBetDatabase.ResolveConnectionStringAsync(null, _home, logger: null, Ct);
        Assert.Equal(builder.Password, new NpgsqlConnectionStringBuilder(again).Password);
        Assert.Equal(PostgresClusterState.Running, (await cluster.GetStatusAsync(Ct)).State);
        Assert.True(await cluster.StopAsync(Ct));
    }

    [Fact]
    public async Task ResolveConnectionString_NetBetDbSet_ReturnsItWithoutStartingAnything()
    {
        const string configured = "Host=db.example;Database=netbet;Username=risk";

        var resolved = await NetBetDatabase.ResolveConnectionStringAsync(configured, _home, logger: null, Ct);

        Assert.Equal(configured, resolved);
        Assert.False(Directory.Exists(_home));
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await PostgresCluster.ForNetBetHome(_home).StopAsync(CancellationToken.None);
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }
}

using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Data;
using NetBet.Data.Cluster;
using NetBet.Data.Migrations;
using NetBet.Data.Replication;
using Npgsql;

namespace NetBet.Web.Tests.Api;

/// <summary>
/// <c>NETBET_DB_READ</c> pointing at a hot standby: a real primary and a standby streaming from it (made with
/// <c>pg_basebackup -R</c> from the machine's binaries), rows written on the primary and read through the API served
/// from the standby, as the private cluster's read-only login.
/// </summary>
public sealed class StandbyTests : IAsyncLifetime
{
    private const string FirstMarket = "1.700000001";
    private const string LaterMarket = "1.700000002";
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 15, 0, 0, TimeSpan.Zero);

    private PostgresCluster _primary = null!;
    private PostgresCluster _standby = null!;
    private string _writer = "";
    private string _primaryReader = "";
    private string _standbyReader = "";

    public async ValueTask InitializeAsync()
    {
        _primary = await PostgresCluster.StartTemporaryAsync(logger: null, CancellationToken.None);
        await _primary.EnsureDatabaseAsync(NetBetDatabase.DefaultDatabaseName, CancellationToken.None);
        _writer = _primary.GetConnectionString(NetBetDatabase.DefaultDatabaseName);
        await using (var dataSource = NpgsqlDataSource.Create(_writer))
        {
            await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(null, dryRun: false, null, CancellationToken.None);
        }

        await WriteMarketAsync(FirstMarket, "100", "Standby League One", snapshots: 3);
        _primaryReader = await _primary.EnsureReaderConnectionStringAsync(NetBetDatabase.DefaultDatabaseName, CancellationToken.None);
        _standby = await _primary.StartTemporaryStandbyAsync(CancellationToken.None);
        _standbyReader = new NpgsqlConnectionStringBuilder(_primaryReader)
        {
            Port = new NpgsqlConnectionStringBuilder(_standby.GetConnectionString()).Port,
        }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_standby is not null)
        {
            await _standby.DisposeAsync();
        }

        if (_primary is not null)
        {
            await _primary.DisposeAsync();
        }
    }

    private async Task WriteMarketAsync(string marketId, string competitionId, string competitionName, int snapshots)
    {
        await using var connection = new NpgsqlConnection(_writer);
        await connection.OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand("""
            insert into market_event_metadata (market_id, market_name, event_name, competition_id, competition_name, market_start_time)
            values (@market, 'Match Odds', 'Home v Away', @competition_id, @competition_name, @start);
            insert into market_book_snapshots (snapshot_at, market_id, inplay, status)
            select @start - make_interval(mins => 15 * i), @market, false, 'OPEN' from generate_series(1, @snapshots) as i;
            """, connection);
        command.Parameters.AddWithValue("market", marketId);
        command.Parameters.AddWithValue("competition_id", competitionId);
        command.Parameters.AddWithValue("competition_name", competitionName);
        command.Parameters.AddWithValue("start", Start);
        command.Parameters.AddWithValue("snapshots", snapshots);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Api_ServedFromTheStandby_ReadsRowsWrittenOnThePrimary()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var factory = new NetBetWebFactory(_writer, kestrel: false, new() { [ReadDatabase.ConnectionStringVariable] = _standbyReader });
        using var client = factory.CreateClient();
        const string Leagues = "/api/leagues?from=2026-03-01&to=2026-03-01";
        var before = await client.GetJsonAsync(Leagues);
        Assert.Equal(["100"], before.GetProperty("leagues").EnumerateArray().Select(l => l.GetProperty("league").GetString()));

        await WriteMarketAsync(LaterMarket, "200", "Standby League Two", snapshots: 5);

        // Streaming replication is asynchronous: the rows arrive on the standby within moments, not at commit.
        var waited = Stopwatch.StartNew();
        JsonElement after;
        do
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
            after = await client.GetJsonAsync(Leagues);
        }
        while (after.GetProperty("total").GetInt64() < 2 && waited.Elapsed < TimeSpan.FromSeconds(30));

        Assert.Equal(["100", "200"], after.GetProperty("leagues").EnumerateArray().Select(l => l.GetProperty("league").GetString()));
        var points = await client.GetJsonAsync($"/api/events/{LaterMarket}/timeseries?interval_minutes=15");
        Assert.Equal(5, points.GetArrayLength());
        var health = await client.GetJsonAsync("/api/health");
        Assert.Equal("ok", health.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ReplicaStatus_OfTheStandby_ShowsItsLag()
    {
        var ct = TestContext.Current.CancellationToken;

        var standby = await ReadReplicaStatus.ReadAsync(_standbyReader, ct);
        var primary = await ReadReplicaStatus.ReadAsync(_primaryReader, ct);

        Assert.True(standby.IsStandby);
        Assert.NotNull(standby.UnreplayedBytes);
        Assert.StartsWith("hot standby, replication lag", standby.Describe(), StringComparison.Ordinal);
        Assert.False(primary.IsStandby);
        Assert.Null(primary.ReplayLag);
        Assert.StartsWith("a primary", await ReadReplicaStatus.DescribeAsync(_primaryReader, ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Standby_WriteEvenAsSuperuser_IsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var connection = new NpgsqlConnection(_standby.GetConnectionString(NetBetDatabase.DefaultDatabaseName));
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("create table standby_write_probe (id integer)", connection);

        var e = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync(ct));

        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, e.SqlState);
    }
}

using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Dapper;
using NetBet.Data.Cluster;
using NetBet.Exchange;
using NetBet.Ingest.Spool;
using Npgsql;

namespace NetBet.Cli.Tests.Faults;

/// <summary>
/// Faults injected into real processes: <c>netbet ingest poll</c> as a child process, a PostgreSQL cluster of its
/// own stopped and started under it, the fake exchange answering with errors, and kill -9.
/// </summary>
public sealed class PollerFaultTests(CliDatabaseFixture database) : IDisposable
{
    private const int Markets = 12;

    private readonly string _spool = Path.Combine(Path.GetTempPath(), "netbet-poll-fault-spool-" + Guid.NewGuid().ToString("N")[..8]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(_spool))
        {
            Directory.Delete(_spool, recursive: true);
        }
    }

    [Fact]
    public async Task Poll_DatabaseStoppedForSeveralTicksAndPollerKilledMidTick_EveryTickStoredOnceForEveryMarket()
    {
        await using var cluster = await PostgresCluster.StartTemporaryAsync(logger: null, Ct);
        await cluster.EnsureDatabaseAsync("netbet", Ct);
        var connectionString = cluster.GetConnectionString("netbet");
        var (migrated, _, migrateErrors) = await NetBetProcess.RunAsync(connectionString, Ct, "migrate");
        Assert.True(migrated == 0, migrateErrors);
        await using var simulator = await ExchangeSimulator.StartAsync(new SimulatorOptions { Markets = Markets, Seed = 5 }, TimeProvider.System, null, Ct);
        string[] poll = ["ingest", "poll", "--interval", "1s", "--endpoint", simulator.BaseUrl.AbsoluteUri, "--spool", _spool, "-v", "normal"];

        DateTime outageFrom = default, outageTo = default;
        var poller = NetBetProcess.Start(connectionString, poll);
        try
        {
            await WaitForAsync("two ticks stored", async () => await TicksAsync(connectionString) >= 2);

            // 1. The database goes away for several ticks: they wait in the spool, then arrive.
            outageFrom = DateTime.UtcNow;
            Assert.True(await cluster.StopAsync(Ct));
            await WaitForAsync("three ticks spooled", () => Task.FromResult(SnapshotSpool.ReadBacklog(_spool).Batches >= 3));
            await cluster.StartAsync(Ct);
            outageTo = DateTime.UtcNow;
            await WaitForAsync("the spool drained", () => Task.FromResult(SnapshotSpool.ReadBacklog(_spool).Batches == 0));

            // 2. Down again, and the poller killed -9 in the middle of its ticks: the next start replays the spool.
            Assert.True(await cluster.StopAsync(Ct));
            await WaitForAsync("two ticks spooled", () => Task.FromResult(SnapshotSpool.ReadBacklog(_spool).Batches >= 2));
            poller.Kill();
            await poller.WaitAsync(Ct);
            var left = SnapshotSpool.ReadBacklog(_spool);
            Assert.True(left.Batches >= 2, $"{left.Batches} batches spooled at the kill");

            // netbet status shows the backlog, above all while the database is down.
            var (statusExit, status, _) = await NetBetProcess.RunAsync(connectionString, Ct, "status", "--spool", _spool);
            Assert.Equal(3, statusExit);
            Assert.Contains($"Poll spool:     {left.Batches} ticks, {left.Snapshots:N0} snapshots waiting for the database, oldest ", status, StringComparison.Ordinal);
            await cluster.StartAsync(Ct);
        }
        finally
        {
            poller.Dispose();
        }

        var spooledAtKill = SnapshotSpool.ReadBacklog(_spool).Oldest!.Value;
        using (var restarted = NetBetProcess.Start(connectionString, poll))
        {
            await WaitForAsync("the spool replayed at the start", () => Task.FromResult(SnapshotSpool.ReadBacklog(_spool).Batches == 0));
            await restarted.InterruptAsync(Ct);
            Assert.Equal(0, await restarted.WaitAsync(Ct));
        }

        await using var connection = new NpgsqlConnection(Unpooled(connectionString));
        var ticks = (await connection.QueryAsync<(DateTime At, long Markets)>(
            "select snapshot_at, count(*) from market_book_snapshots group by snapshot_at order by snapshot_at")).ToList();
        var markets = await connection.QuerySingleAsync<long>("select count(distinct market_id) from market_book_snapshots");
        var (rows, distinct) = await connection.QuerySingleAsync<(long, long)>(
            "select count(*), count(distinct (market_id, snapshot_at)) from market_book_snapshots");

        Assert.Equal(Markets, markets);
        Assert.All(ticks, t => Assert.Equal(Markets, t.Markets)); // no tick half stored
        Assert.Equal(rows, distinct); // no duplicates
        Assert.Equal(rows, await connection.QuerySingleAsync<long>("select count(*) from market_derived_metrics"));
        // The killed run's spool arrived (the spool header keeps milliseconds).
        Assert.Contains(ticks, t => Math.Abs((t.At - spooledAtKill.UtcDateTime).TotalMilliseconds) < 1);
        Assert.True(ticks.Count >= 8, $"{ticks.Count} ticks");
        Assert.True(ticks.Count(t => t.At > outageFrom && t.At < outageTo) >= 3, "the ticks polled while the database was down are stored");
        Assert.Empty(Directory.GetFiles(_spool, "*" + SnapshotSpool.RejectedExtension));
        Assert.True(Directory.GetFiles(_spool, "*" + SnapshotSpool.TornExtension).Length <= 1, "at most the record the kill cut short is torn");
    }

    [Fact]
    public async Task Poll_OneBookBatchFailsAfterItsRetries_TheOtherMarketsAreStored()
    {
        var connectionString = await database.CreateBaseSchemaDatabaseAsync(Ct);
        await using var simulator = await ExchangeSimulator.StartAsync(new SimulatorOptions { Markets = 22, Seed = 5 }, TimeProvider.System, null, Ct);
        Assert.Null(simulator.Faults.Apply("fail:listMarketBook=4")); // one request of 11 markets, all 4 attempts

        var (exitCode, stdout, stderr) = await NetBetProcess.RunAsync(connectionString, Ct,
            "ingest", "poll", "--once", "--endpoint", simulator.BaseUrl.AbsoluteUri, "--spool", _spool);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("22 markets polled, 11 snapshots stored", stdout, StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(connectionString);
        var stored = (await connection.QueryAsync<string>("select market_id from market_book_snapshots")).ToList();
        Assert.Equal(11, stored.Count);
        var lost = simulator.MarketIds.Except(stored).ToList();
        Assert.Equal(11, lost.Count);
        Assert.All(lost, id => Assert.Contains(id, stderr, StringComparison.Ordinal)); // reported by market id
        Assert.Equal(0, SnapshotSpool.ReadBacklog(_spool).Batches);
    }

    [Fact]
    public async Task Poll_LoginRefused_OneLoginThenExit4NamingTheBetfairError()
    {
        var connectionString = await database.CreateBaseSchemaDatabaseAsync(Ct);
        await using var simulator = await ExchangeSimulator.StartAsync(new SimulatorOptions { Markets = 3 }, TimeProvider.System, null, Ct);
        Assert.Null(simulator.Faults.Apply("login-refused"));

        var (exitCode, _, stderr) = await NetBetProcess.RunAsync(connectionString, Ct,
            "ingest", "poll", "--interval", "1s", "--endpoint", simulator.BaseUrl.AbsoluteUri, "--spool", _spool);

        Assert.Equal(4, exitCode);
        Assert.Contains("INVALID_USERNAME_OR_PASSWORD", stderr, StringComparison.Ordinal);
        Assert.Contains("refused the credentials", stderr, StringComparison.Ordinal);
        Assert.Equal(1, simulator.LoginAttempts);
        Assert.Empty(simulator.Requests);
    }

    [Fact]
    public async Task Poll_PlainHttpEndpointNotOnLoopback_IsRefusedBeforeAnyRequest()
    {
        // A listener on this machine's own non-loopback address stands in for a remote plain-http server.
        var address = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a)) ?? IPAddress.Parse("192.0.2.1");
        using var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        var endpoint = $"http://{address}:{((IPEndPoint)listener.LocalEndpoint).Port}";

        var (exitCode, _, stderr) = await NetBetProcess.RunAsync("Host=127.0.0.1;Port=1", Ct,
            "ingest", "poll", "--once", "--endpoint", endpoint, "--spool", _spool);

        Assert.Equal(2, exitCode);
        Assert.Contains("refusing to send Betfair credentials", stderr, StringComparison.Ordinal);
        Assert.False(listener.Pending(), "a connection reached the listener");
    }

    private static async Task<long> TicksAsync(string connectionString)
    {
        try
        {
            await using var connection = new NpgsqlConnection(Unpooled(connectionString));
            return await connection.QuerySingleAsync<long>("select count(distinct snapshot_at) from market_book_snapshots");
        }
        catch (NpgsqlException)
        {
            return 0;
        }
    }

    // The server is restarted under the test: a pooled connection would be one it terminated.
    private static string Unpooled(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    private static async Task WaitForAsync(string what, Func<Task<bool>> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        while (!await condition())
        {
            try
            {
                await Task.Delay(100, timeout.Token);
            }
            catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
            {
                throw new TimeoutException($"waited 90 s for: {what}");
            }
        }
    }
}

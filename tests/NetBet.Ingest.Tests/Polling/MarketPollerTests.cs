using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Core.Metrics;
using NetBet.Data.Migrations;
using NetBet.Data.Snapshots;
using NetBet.Data.State;
using NetBet.Ingest.Betfair;
using NetBet.Ingest.Polling;
using NetBet.Exchange;
using NetBet.Ingest.Tests.Betfair;
using Npgsql;

namespace NetBet.Ingest.Tests.Polling;

public sealed class MarketPollerTests(DatabaseFixture database)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunTick_HappyPath_StoresSnapshotsDerivedRowsMetadataAndTheTick()
    {
        await using var run = await PollerRun.StartAsync(database);
        var summary = await run.Poller.RunTickAsync(Ct);

        Assert.Equal(60, summary.MarketsListed);
        Assert.Equal(60, summary.MarketsPolled);
        Assert.Equal(60, summary.SnapshotsInserted);
        Assert.Equal(60, summary.DerivedRows);
        Assert.Empty(summary.Skipped);
        Assert.Equal(60L, await run.ScalarAsync("select count(*) from market_book_snapshots where source = 'rest_listMarketBook'"));
        Assert.Equal(1L, await run.ScalarAsync("select count(distinct snapshot_at) from market_book_snapshots"));

        // Every metric column is filled for the books that are open (suspended books have empty ladders).
        var nullChecks = string.Join(" or ", MetricColumns.Names.Select(c => $"d.{c} is null"));
        Assert.True(await run.ScalarAsync("select count(*) from market_book_snapshots where status = 'OPEN'") > 40);
        Assert.Equal(0L, await run.ScalarAsync(
            $"select count(*) from market_derived_metrics d join market_book_snapshots s using (snapshot_id) where s.status = 'OPEN' and ({nullChecks})"));
        Assert.Equal(60L, await run.ScalarAsync("select count(*) from market_derived_metrics where depth_limit = 3 and calculation_version = 'imbalance_v1'"));

        Assert.Equal(60L, await run.ScalarAsync("""
            select count(*) from market_event_metadata
            where draw_selection_id = 58805 and draw_runner_name = 'The Draw'
              and home_selection_id is not null and away_selection_id is not null and home_runner_name is not null
              and competition_name is not null and event_name like '% v %' and market_start_time is not null
            """));
        var tick = await new ServiceState(run.DataSource).GetAsync<PollTickState>(PollTickState.Key, Ct);
        Assert.Equal(new PollTickState(SimulatorSession.Start, 60, 60), tick);
    }

    [Fact]
    public async Task RunTick_DerivedRow_IsWhatTheEngineComputesFromTheStoredPayload()
    {
        await using var run = await PollerRun.StartAsync(database, markets: 6);
        await run.Poller.RunTickAsync(Ct);

        await using var command = run.DataSource.CreateCommand("""
            select s.raw_payload::text, d.home_risk, d.draw_lay_odds, d.total_volume, m.home_selection_id, m.away_selection_id
            from market_book_snapshots s join market_derived_metrics d on d.snapshot_id = s.snapshot_id join market_event_metadata m on m.market_id = s.market_id
            """);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var rows = 0;
        while (await reader.ReadAsync(Ct))
        {
            var book = NetBet.Core.Books.MarketBookReader.Read(System.Text.Encoding.UTF8.GetBytes(reader.GetString(0)));
            var roles = new NetBet.Core.Books.RunnerRoles(reader.GetInt64(4), reader.GetInt64(5), 58805);
            var row = MetricEngine.Compute(book, roles).Row!;
            Assert.Equal(row["home_risk"], reader.GetDouble(1));
            Assert.Equal(row["draw_lay_odds"], reader.IsDBNull(2) ? null : reader.GetDouble(2));
            Assert.Equal(row["total_volume"], reader.GetDouble(3));
            rows++;
        }

        Assert.Equal(6, rows);
    }

    [Fact]
    public async Task RunTick_SameMinuteTwice_CountsDuplicatesAndNextMinuteAddsSnapshots()
    {
        await using var run = await PollerRun.StartAsync(database, markets: 10);
        await run.Poller.RunTickAsync(Ct);
        var again = await run.Poller.RunTickAsync(Ct);
        Assert.Equal((0, 10), (again.SnapshotsInserted, again.Duplicates));

        run.Session.Clock.Advance(TimeSpan.FromMinutes(1));
        var next = await run.Poller.RunTickAsync(Ct);
        Assert.Equal(10, next.SnapshotsInserted);
        Assert.Equal(20L, await run.ScalarAsync("select count(*) from market_book_snapshots"));
    }

    [Fact]
    public async Task RunTick_ServerErrorsAndTooMuchData_AreRecovered()
    {
        await using var run = await PollerRun.StartAsync(database);
        run.Session.Simulator.Faults.Next(SimulatorFault.ServerError, 2, "listMarketBook");
        run.Session.Simulator.Faults.Next(SimulatorFault.ServerError, 1, "listMarketCatalogue");
        run.Session.Simulator.Faults.TooMuchDataAboveMarkets = 4;
        var summary = await run.Poller.RunTickAsync(Ct);

        Assert.Equal(60, summary.SnapshotsInserted);
        var requests = run.Session.Simulator.Requests;
        Assert.Contains(requests, r => r.ErrorCode == "TOO_MUCH_DATA");
        Assert.Equal(3, requests.Count(r => r.StatusCode == 503));
        Assert.All(requests.Where(r => r.Operation == "listMarketBook" && r.StatusCode != 503), r => Assert.InRange(r.MarketCount, 1, 11));
    }

    [Fact]
    public async Task RunTick_MalformedCatalogue_FailsTheTickWithoutStoringAndTheNextTickSucceeds()
    {
        await using var run = await PollerRun.StartAsync(database, markets: 20);
        run.Session.Simulator.Faults.Next(SimulatorFault.MalformedJson, 1, "listMarketCatalogue");
        var error = await Assert.ThrowsAsync<BetfairUnavailableException>(() => run.Poller.RunTickAsync(Ct));
        Assert.True(MarketPoller.IsTickFailure(error));
        Assert.Equal(0L, await run.ScalarAsync("select count(*) from market_book_snapshots"));
        Assert.Equal(0L, await run.ScalarAsync("select count(*) from service_state"));

        run.Session.Clock.Advance(TimeSpan.FromMinutes(1));
        var summary = await run.Poller.RunTickAsync(Ct);
        Assert.Equal(20, summary.SnapshotsInserted);
    }

    [Fact]
    public async Task RunTick_OneBookBatchFailsAfterRetries_LosesOnlyThatBatchsMarketsAndNamesThem()
    {
        await using var run = await PollerRun.StartAsync(database, markets: 22); // two listMarketBook requests of 11
        run.Session.Simulator.Faults.Next(SimulatorFault.ServerError, run.Session.Options.MaxAttempts, "listMarketBook");
        run.Session.Simulator.Faults.Next(SimulatorFault.MalformedJson, 1, "listMarketBook"); // the second: not retried
        var first = await run.Poller.RunTickAsync(Ct);

        Assert.Equal(0, first.SnapshotsInserted);
        Assert.Equal(22, first.FailedMarkets.Count);

        run.Session.Clock.Advance(TimeSpan.FromMinutes(1));
        run.Session.Simulator.Faults.Next(SimulatorFault.ServerError, run.Session.Options.MaxAttempts, "listMarketBook");
        var summary = await run.Poller.RunTickAsync(Ct);

        Assert.Equal(11, summary.SnapshotsInserted);
        Assert.Equal(11, summary.FailedMarkets.Count);
        Assert.Equal(11, summary.Skipped["listMarketBook failed after retries"]);
        var stored = await run.ListAsync("select market_id from market_book_snapshots");
        Assert.Empty(stored.Intersect(summary.FailedMarkets));
        Assert.Equal(22, stored.Union(summary.FailedMarkets).Count());
        Assert.Contains(run.Session.Logs.Lines, l => l.Contains(summary.FailedMarkets[0], StringComparison.Ordinal) && l.Contains("lost for this tick", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_LoginRefused_StopsAtOnceAfterOneLogin()
    {
        await using var run = await PollerRun.StartAsync(database, markets: 5);
        run.Session.Simulator.Faults.LoginRefused = true;
        using var stop = new CancellationTokenSource();

        var error = await Assert.ThrowsAsync<BetfairApiException>(() => run.Poller.RunAsync(TimeSpan.FromMinutes(1), stop.Token));

        Assert.True(error.IsCredentialsRefused);
        Assert.Equal("INVALID_USERNAME_OR_PASSWORD", error.ErrorCode);
        Assert.False(MarketPoller.IsTickFailure(error));
        Assert.Equal(1, run.Session.Simulator.LoginAttempts);
    }

    [Fact]
    public async Task RunTick_LoginUnavailable_BacksOffExponentiallyCappedAtTenMinutes()
    {
        await using var run = await PollerRun.StartAsync(database, markets: 5, configure: o => o.MaxAttempts = 1);
        run.Session.Simulator.Faults.Next(SimulatorFault.ServerError, 100, "login");
        var attemptsAtTick = new List<int>();
        for (var minute = 0; minute < 40; minute++)
        {
            await Assert.ThrowsAsync<BetfairUnavailableException>(() => run.Poller.RunTickAsync(Ct));
            attemptsAtTick.Add(run.Session.Simulator.LoginAttempts);
            run.Session.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        // Logins at minutes 0, 1, 3, 7, 15, 25, 35: waits of 1, 2, 4, 8, then 10 (the cap), 10 minutes.
        var loginMinutes = attemptsAtTick.Select((n, minute) => (n, minute)).Where(p => p.minute == 0 || attemptsAtTick[p.minute - 1] != p.n).Select(p => p.minute);
        Assert.Equal([0, 1, 3, 7, 15, 25, 35], loginMinutes);

        run.Session.Simulator.Faults.Clear();
        run.Session.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(5, (await run.Poller.RunTickAsync(Ct)).SnapshotsInserted);
    }

    [Fact]
    public async Task RunTick_SessionExpiresMidRun_LogsInAgainAndGoesOn()
    {
        await using var run = await PollerRun.StartAsync(database, markets: 10);
        await run.Poller.RunTickAsync(Ct);
        run.Session.Simulator.ExpireSessions();
        run.Session.Clock.Advance(TimeSpan.FromMinutes(1));
        var summary = await run.Poller.RunTickAsync(Ct);

        Assert.Equal(10, summary.SnapshotsInserted);
        Assert.Equal(2, run.Session.Simulator.Logins);
        Assert.Contains(run.Session.Simulator.Requests, r => r.ErrorCode == "INVALID_SESSION_INFORMATION");
    }

    [Fact]
    public async Task RunTick_SimulatedHours_TrackMarketsThroughKickOffGoalsAndClose()
    {
        await using var run = await PollerRun.StartAsync(database, markets: 12);
        for (var minute = 0; minute < 240; minute += 10)
        {
            await run.Poller.RunTickAsync(Ct);
            run.Session.Clock.Advance(TimeSpan.FromMinutes(10));
        }

        Assert.True(await run.ScalarAsync("select count(*) from market_book_snapshots where inplay") > 0);
        Assert.True(await run.ScalarAsync("select count(*) from market_book_snapshots where status = 'SUSPENDED'") > 0);
        Assert.True(await run.ScalarAsync("select count(distinct snapshot_at) from market_book_snapshots") == 24);
    }

    [Fact]
    public async Task RunTick_BaseSchemaDatabase_StoresTheColumnsThatExist()
    {
        await using var run = await PollerRun.StartAsync(database, markets: 5, migrateTo: "2026-02-06_base_schema");
        var summary = await run.Poller.RunTickAsync(Ct);

        Assert.Equal(5, summary.SnapshotsInserted);
        Assert.Equal(5L, await run.ScalarAsync("select count(*) from market_derived_metrics where home_risk is not null"));
        Assert.Contains(run.Session.Logs.Lines, l => l.Contains("times are not recorded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_CancelledDuringATick_FinishesTheTickThenReturns()
    {
        await using var run = await PollerRun.StartAsync(database, markets: 30);
        run.Session.Simulator.Faults.SlowDelay = TimeSpan.FromMilliseconds(800);
        run.Session.Simulator.Faults.Next(SimulatorFault.Slow, 3, "listMarketBook");
        using var stop = new CancellationTokenSource();
        var running = run.Poller.RunAsync(TimeSpan.FromMinutes(1), stop.Token);
        await WaitUntilAsync(() => run.Session.Simulator.Requests.Any(r => r.Operation == "listMarketCatalogue"));
        await stop.CancelAsync();

        Assert.Equal(1, await running);
        Assert.Equal(30L, await run.ScalarAsync("select count(*) from market_book_snapshots"));
        Assert.Equal(30L, await run.ScalarAsync("select count(*) from market_derived_metrics"));
    }

    [Fact]
    public async Task Run_FailedTick_IsLoggedAndTheNextTickRuns()
    {
        await using var run = await PollerRun.StartAsync(database, markets: 8);
        run.Session.Simulator.Faults.Next(SimulatorFault.MalformedJson, 1, "listMarketCatalogue");
        using var stop = new CancellationTokenSource();
        var running = run.Poller.RunAsync(TimeSpan.FromMinutes(1), stop.Token);
        await WaitUntilAsync(() => run.Session.Logs.Lines.Any(l => l.Contains("Poll tick failed", StringComparison.Ordinal)));
        run.Session.Clock.Advance(TimeSpan.FromMinutes(1));
        await WaitUntilAsync(() => run.Session.Logs.Lines.Any(l => l.Contains("8 snapshots stored", StringComparison.Ordinal)));
        await stop.CancelAsync();

        Assert.Equal(1, await running);
        Assert.Equal(8L, await run.ScalarAsync("select count(*) from market_book_snapshots"));
    }

    [Fact]
    public async Task Logs_PollerAndClientThroughFaults_NeverContainCredentials()
    {
        await using var run = await PollerRun.StartAsync(database, markets: 15);
        run.Session.Simulator.Faults.Next(SimulatorFault.ServerError, 1);
        run.Session.Simulator.Faults.Next(SimulatorFault.InvalidSession, 1);
        await run.Poller.RunTickAsync(Ct);
        run.Session.Simulator.Faults.Next(SimulatorFault.MalformedJson, 1);
        run.Session.Clock.Advance(TimeSpan.FromMinutes(30));
        await Assert.ThrowsAsync<BetfairUnavailableException>(() => run.Poller.RunTickAsync(Ct));

        var logs = run.Session.Logs.All;
        Assert.Contains("Poll tick", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(SimulatorSession.Password, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(SimulatorSession.AppKey, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(SimulatorSession.Username, logs, StringComparison.Ordinal);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Delay(20, Ct);
        }
    }

    private sealed class PollerRun : IAsyncDisposable
    {
        private PollerRun(SimulatorSession session, NpgsqlDataSource dataSource, MarketPoller poller)
        {
            Session = session;
            DataSource = dataSource;
            Poller = poller;
        }

        public SimulatorSession Session { get; }

        public NpgsqlDataSource DataSource { get; }

        public MarketPoller Poller { get; }

        public static async Task<PollerRun> StartAsync(DatabaseFixture database, int markets = 60, string? migrateTo = null,
            Action<BetfairOptions>? configure = null)
        {
            var connectionString = await database.CreateDatabaseAsync(migrated: migrateTo is null, Ct);
            var dataSource = NpgsqlDataSource.Create(connectionString);
            if (migrateTo is not null)
            {
                await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(migrateTo, dryRun: false, null, Ct);
            }

            var session = await SimulatorSession.StartAsync(markets, configure);
            var factory = session.Logs.Factory;
            var poller = new MarketPoller(
                session.Client,
                new SnapshotWriter(dataSource, factory.CreateLogger<SnapshotWriter>()),
                new ServiceState(dataSource),
                session.Clock,
                new PollerOptions(),
                factory.CreateLogger<MarketPoller>());
            return new PollerRun(session, dataSource, poller);
        }

        public async Task<long> ScalarAsync(string sql)
        {
            await using var command = DataSource.CreateCommand(sql);
            return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
        }

        public async Task<List<string>> ListAsync(string sql)
        {
            await using var command = DataSource.CreateCommand(sql);
            await using var reader = await command.ExecuteReaderAsync(Ct);
            var values = new List<string>();
            while (await reader.ReadAsync(Ct))
            {
                values.Add(reader.GetString(0));
            }

            return values;
        }

        public async ValueTask DisposeAsync()
        {
            await Session.DisposeAsync();
            await DataSource.DisposeAsync();
        }
    }
}

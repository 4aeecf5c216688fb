using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Core.Stream;
using NetBet.Data.Snapshots;
using NetBet.Data.State;
using NetBet.Ingest.Import;
using NetBet.Ingest.Streaming;
using Npgsql;

namespace NetBet.Ingest.Tests.Streaming;

/// <summary>The stream client against the simulator's stream, over real TLS sockets.</summary>
public sealed class ExchangeStreamTests(DatabaseFixture database)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Subscribe_ReceivesAnImageOfEveryOpenMarketThatEqualsTheRestBooks()
    {
        await using var run = await StreamRun.StartAsync(null);
        await run.WaitUntilAsync(() => run.Client.Counters.Messages > 0, "the image");
        await run.StopAsync();

        var ids = run.Session.Simulator.MarketIds;
        Assert.Equal(ids.Count, run.Cache.Markets.Count);
        Assert.NotNull(run.Client.Counters.InitialClk);
        await AssertEqualToRestAsync(run);
    }

    [Fact]
    public async Task Deltas_AsTheClockMoves_ChangeTheLadderToTheRestBookOfTheNewMinute()
    {
        await using var run = await StreamRun.StartAsync(null);
        await run.WaitUntilAsync(() => run.Client.Counters.Messages > 0, "the image");
        var before = RenderAll(run.Cache);
        var clk = run.Client.Counters.Clk;
        await run.AdvanceAsync(TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(30));
        await run.StopAsync();

        Assert.NotEqual(clk, run.Client.Counters.Clk);
        Assert.NotEqual(before, RenderAll(run.Cache));
        Assert.True(run.Client.Counters.Updates > 0);
        await AssertEqualToRestAsync(run);
    }

    [Fact]
    public async Task SegmentedImage_IsMergedBeforeItIsApplied()
    {
        await using var run = await StreamRun.StartAsync(null, markets: 12, faults: f => f.StreamSegmented = true);
        await run.WaitUntilAsync(() => run.Cache.Markets.Count == 12 && run.Client.Counters.Messages >= 6, "a segmented image");
        await run.StopAsync();

        // Two markets per segment: six messages, applied as one image.
        Assert.True(run.Client.Counters.Messages >= 6);
        await AssertEqualToRestAsync(run);
    }

    [Fact]
    public async Task Stream503AndConflation_AreCountedNotTreatedAsDisconnects()
    {
        await using var run = await StreamRun.StartAsync(null, faults: f =>
        {
            f.Stream503 = true;
            f.StreamConflate = true;
        });
        await run.WaitUntilAsync(() => run.Client.Counters.Messages > 0, "the image");
        await run.AdvanceAsync(TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(20));
        await run.StopAsync();

        Assert.Equal(0, run.Client.Counters.Reconnects);
        Assert.Equal(run.Client.Counters.Messages, run.Client.Counters.Stale);
        await AssertEqualToRestAsync(run);
    }

    [Fact]
    public async Task Disconnect_MidRun_ResumesWithClkAndStoresTheSameSeriesAsAnUninterruptedRun()
    {
        var steady = await RecordSeriesAsync(drop: false);
        var dropped = await RecordSeriesAsync(drop: true);

        Assert.True(steady.Count > 12 * 30, $"only {steady.Count} snapshots");
        Assert.Equal(steady, dropped);
    }

    [Fact]
    public async Task DisconnectFault_DropsEveryConnectionAtItsInterval_AndTheBookStaysRight()
    {
        await using var run = await StreamRun.StartAsync(null, faults: f => f.StreamDisconnectEvery = TimeSpan.FromSeconds(1));
        await run.WaitUntilAsync(() => run.Client.Counters.Reconnects >= 2, "two reconnects");
        await run.AdvanceAsync(TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(30));
        await run.StopAsync();

        await AssertEqualToRestAsync(run);
    }

    [Fact]
    public async Task HeartbeatSilence_ForTwiceTheInterval_Reconnects()
    {
        await using var run = await StreamRun.StartAsync(null);
        await run.WaitUntilAsync(() => run.Client.Counters.Messages > 0, "the image");
        run.Session.Simulator.SilenceStreamConnections();
        await run.WaitUntilAsync(() => run.Client.Counters.Reconnects >= 1 && run.Session.Simulator.StreamConnections >= 2, "a reconnect after silence");
        var messages = run.Client.Counters.Messages;
        await run.AdvanceAsync(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30));
        await run.StopAsync();

        Assert.True(run.Client.Counters.Messages > messages);
        await AssertEqualToRestAsync(run);
    }

    [Fact]
    public async Task ResubscriptionTheServerCannotResume_GetsASubImageThatReplacesTheCache()
    {
        await using var run = await StreamRun.StartAsync(null, markets: 6);
        await run.WaitUntilAsync(() => run.Client.Counters.Messages > 0, "the image");
        var initialClk = run.Client.Counters.InitialClk;
        await run.AdvanceAsync(TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(1));
        run.Session.Simulator.ForgetStreamHistory();
        run.Session.Simulator.DropStreamConnections();
        await run.WaitUntilAsync(() => run.Client.Counters.InitialClk != initialClk, "a new image");
        await run.StopAsync();

        Assert.True(run.Client.Counters.Reconnects >= 1);
        await AssertEqualToRestAsync(run);
    }

    [Fact]
    public async Task AuthenticationRefused_StopsWithTheErrorCode()
    {
        await using var run = await StreamRun.StartAsync(null, faults: f => f.StreamAuthFail = true);
        var refused = await Assert.ThrowsAsync<StreamRefusedException>(() => run.Running);
        Assert.Equal("NOT_AUTHORIZED", refused.ErrorCode);
        Assert.Equal(1, run.Session.Simulator.StreamConnections);
    }

    [Fact]
    public async Task ExpiredSession_LogsInAgainAndResubscribes()
    {
        await using var run = await StreamRun.StartAsync(null);
        await run.WaitUntilAsync(() => run.Client.Counters.Messages > 0, "the image");
        var logins = run.Session.Simulator.Logins;
        run.Session.Simulator.ExpireSessions();
        run.Session.Simulator.DropStreamConnections();
        await run.WaitUntilAsync(() => run.Session.Simulator.Logins > logins && run.Session.Simulator.StreamConnections >= 3, "a new login and connection");
        await run.AdvanceAsync(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30));
        await run.StopAsync();
        Assert.DoesNotContain(SimulatorPassword, run.Session.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RestAndStreamCapture_OfTheSameMarketAtTheSameInstant_StoreEqualBooks()
    {
        await using var run = await StreamRun.StartAsync(database);
        await run.WaitUntilAsync(() => run.Client.Counters.Messages > 0, "the image");
        await run.AdvanceAsync(TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(30));

        // A REST poll at a grid point (a new minute's books were published at that very instant), then the stream
        // moves just past it so the grid point's snapshot is due.
        var at = run.Session.Clock.GetUtcNow();
        var books = await run.Session.Client.ListMarketBookAsync(run.Session.Simulator.MarketIds, Ct);
        await run.AdvanceAsync(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1));
        await run.StopAsync();
        var stored = await StreamRun.SnapshotsAsync(run.DataSource!, SnapshotSources.ExchangeStream);
        var compared = 0;
        foreach (var rest in books)
        {
            var streamed = stored.Single(s => s.MarketId == rest.MarketId && s.At == at);
            var restBook = MarketBookReader.Read(rest.Json.Span);
            if (restBook.Status != "OPEN")
            {
                continue;
            }

            AssertSameBook(restBook, MarketBookReader.Read(System.Text.Encoding.UTF8.GetBytes(streamed.Payload)));
            compared++;
        }

        Assert.True(compared >= 6, $"only {compared} open markets");
    }

    [Fact]
    public async Task Record_ThenImportWithCarryForward_ReproducesTheLiveSnapshots()
    {
        var directory = Directory.CreateTempSubdirectory("netbet-recording-").FullName;
        try
        {
            List<(string MarketId, DateTimeOffset At, string Payload)> live;
            await using (var run = await StreamRun.StartAsync(database, every: TimeSpan.FromSeconds(5), record: directory))
            {
                await run.WaitUntilAsync(() => run.Client.Counters.Messages > 0, "the image");
                await run.AdvanceAsync(TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(7), step =>
                {
                    if (step == 10)
                    {
                        run.Session.Simulator.DropStreamConnections();
                    }
                });
                await run.StopAsync();
                live = await StreamRun.SnapshotsAsync(run.DataSource!, SnapshotSources.ExchangeStream);
            }

            Assert.NotEmpty(Directory.EnumerateFiles(directory, "*.gz", SearchOption.AllDirectories));
            await using var replay = NpgsqlDataSource.Create(await database.CreateDatabaseAsync(migrated: true, Ct));
            using (var importer = new StreamImporter(new SnapshotWriter(replay, NullLogger<SnapshotWriter>.Instance), NullLogger<StreamImporter>.Instance,
                new ImportOptions { Every = TimeSpan.FromSeconds(5), CarryForward = true }, TextWriter.Null, null))
            {
                var summary = await importer.ImportAsync([directory], Ct);
                Assert.Equal(0, summary.Errors);
            }

            var imported = await StreamRun.SnapshotsAsync(replay, null);
            Assert.True(live.Count > 12 * 30, $"only {live.Count} live snapshots");
            Assert.Equal(live, imported);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task StoredState_ShowsTheLastStreamMessageAndClk()
    {
        await using var run = await StreamRun.StartAsync(database);
        await run.WaitUntilAsync(() => run.Client.Counters.Messages > 0, "the image");
        await run.AdvanceAsync(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30));
        await run.StopAsync();

        var state = await new ServiceState(run.DataSource!).GetAsync<StreamRecorderState>(StreamRecorderState.Key, Ct);
        Assert.NotNull(state);
        Assert.Equal(run.Client.Counters.Clk, state.Clk);
        Assert.Equal(run.Session.Clock.GetUtcNow(), state.LastPublishTime);
        Assert.True(state.Snapshots > 0);
    }

    private const string SimulatorPassword = Betfair.SimulatorSession.Password;

    private async Task<List<(string MarketId, DateTimeOffset At, string Payload)>> RecordSeriesAsync(bool drop)
    {
        await using var run = await StreamRun.StartAsync(database, every: TimeSpan.FromSeconds(5));
        await run.WaitUntilAsync(() => run.Client.Counters.Messages > 0, "the image");
        await run.AdvanceAsync(TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(7), step =>
        {
            if (drop && step % 6 == 3)
            {
                run.Session.Simulator.DropStreamConnections();
            }
        });
        await run.StopAsync();
        if (drop)
        {
            Assert.True(run.Client.Counters.Reconnects >= 3, $"{run.Client.Counters.Reconnects} reconnects");
        }

        return await StreamRun.SnapshotsAsync(run.DataSource!, SnapshotSources.ExchangeStream);
    }

    private static List<string> RenderAll(StreamCache cache) =>
        [.. cache.Markets.OrderBy(m => m.MarketId, StringComparer.Ordinal).Select(m => System.Text.Encoding.UTF8.GetString(m.ToMarketBookJson()))];

    private static async Task AssertEqualToRestAsync(StreamRun run)
    {
        var books = await run.Session.Client.ListMarketBookAsync([.. run.Cache.Markets.Select(m => m.MarketId)], Ct);
        Assert.NotEmpty(books);
        foreach (var rest in books)
        {
            var restBook = MarketBookReader.Read(rest.Json.Span);
            var market = run.Cache.Find(rest.MarketId!)!;
            var streamBook = MarketBookReader.Read(market.ToMarketBookJson());
            Assert.Equal(restBook.Status, streamBook.Status);
            Assert.Equal(restBook.Inplay, streamBook.Inplay);
            AssertSameBook(restBook, streamBook);
        }
    }

    // Same ladders, same totals, and the metric engine computes the same row from both.
    private static void AssertSameBook(MarketBook rest, MarketBook streamed)
    {
        Assert.Equal(rest.MarketId, streamed.MarketId);
        Assert.Equal(rest.TotalMatched!.Value, streamed.TotalMatched!.Value, 6);
        Assert.Equal(rest.Runners.Select(r => r.SelectionId), streamed.Runners.Select(r => r.SelectionId));
        for (var r = 0; r < rest.Runners.Count; r++)
        {
            Assert.Equal(rest.Runners[r].Back, streamed.Runners[r].Back);
            Assert.Equal(rest.Runners[r].Lay, streamed.Runners[r].Lay);
            Assert.Equal(rest.Runners[r].TotalMatched!.Value, streamed.Runners[r].TotalMatched!.Value, 6);
        }

        var roles = new RunnerRoles(rest.Runners[0].SelectionId!.Value, rest.Runners[1].SelectionId!.Value, rest.Runners[2].SelectionId!.Value);
        var restRow = MetricEngine.Compute(rest, roles).Row;
        var streamRow = MetricEngine.Compute(streamed, roles).Row;
        Assert.Equal(restRow is null, streamRow is null);
        if (restRow is not null)
        {
            for (var i = 0; i < restRow.Values.Count; i++)
            {
                Assert.Equal(restRow.Values[i] ?? double.NaN, streamRow!.Values[i] ?? double.NaN, 9);
            }
        }
    }
}

using Microsoft.Extensions.Logging;
using NetBet.Core.Stream;
using NetBet.Data.Snapshots;
using NetBet.Data.State;
using NetBet.Ingest.Streaming;
using NetBet.Ingest.Tests.Betfair;
using Npgsql;

namespace NetBet.Ingest.Tests.Streaming;

/// <summary>
/// The simulator with its stream on a free port (manual exchange clock), and the real stream client over TLS trusting
/// the simulator's CA, feeding a recorder; with a database, a store writing the snapshots. Heartbeats every 500 ms.
/// </summary>
internal sealed class StreamRun : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly string _caPath;
    private Task? _running;
    private Task? _storing;

    private StreamRun(SimulatorSession session, string caPath, NpgsqlDataSource? dataSource, string? recordDirectory, TimeSpan every)
    {
        Session = session;
        _caPath = caPath;
        DataSource = dataSource;
        Cache = new StreamCache();
        Recording = recordDirectory is null ? null : new StreamRecording(recordDirectory);
        Recorder = new StreamRecorder(Cache, every, Recording);
        var options = new StreamOptions
        {
            Host = "127.0.0.1",
            Port = session.Simulator.StreamPort!.Value,
            ExtraCaPath = caPath,
            HeartbeatMs = 500,
            ReconnectBaseDelay = TimeSpan.FromMilliseconds(40),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
            RequestTimeout = TimeSpan.FromSeconds(10),
        };
        Client = new ExchangeStreamClient(options, session.Client, Cache, Recorder, session.Logs.Factory.CreateLogger<ExchangeStreamClient>());
        if (dataSource is not null)
        {
            var factory = session.Logs.Factory;
            Store = new StreamSnapshotStore(new SnapshotWriter(dataSource, factory.CreateLogger<SnapshotWriter>()), new ServiceState(dataSource),
                session.Client, factory.CreateLogger<StreamSnapshotStore>());
        }
    }

    public SimulatorSession Session { get; }

    public NpgsqlDataSource? DataSource { get; }

    public StreamCache Cache { get; }

    public StreamRecording? Recording { get; }

    public StreamRecorder Recorder { get; }

    public ExchangeStreamClient Client { get; }

    public StreamSnapshotStore? Store { get; }

    public Task Running => _running!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<StreamRun> StartAsync(DatabaseFixture? database, int markets = 12, TimeSpan? every = null, string? record = null,
        Action<NetBet.Exchange.SimulatorFaults>? faults = null, bool connect = true)
    {
        var session = await SimulatorSession.StartAsync(markets, stream: true);
        faults?.Invoke(session.Simulator.Faults);
        var caPath = Path.Combine(Path.GetTempPath(), $"netbet-stream-ca-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(caPath, session.Simulator.StreamCertificatePem, Ct);
        NpgsqlDataSource? dataSource = null;
        if (database is not null)
        {
            dataSource = NpgsqlDataSource.Create(await database.CreateDatabaseAsync(migrated: true, Ct));
        }

        var run = new StreamRun(session, caPath, dataSource, record, every ?? TimeSpan.FromSeconds(5));
        if (connect)
        {
            run.Start();
        }

        return run;
    }

    public void Start()
    {
        _running = Task.Run(() => Client.RunAsync(_stop.Token), Ct);
        if (Store is not null)
        {
            _storing = Store.RunAsync(Recorder, Client, CancellationToken.None);
        }
    }

    /// <summary>Polls <paramref name="condition"/> (which must be safe to call from the test thread) until true.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (_running is { IsFaulted: true })
            {
                await _running; // surfaces the client's exception
            }

            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}\n{Session.Logs.All}");
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>Moves the exchange clock in steps and waits until the client has seen a message stamped with each new time.</summary>
    public async Task AdvanceAsync(TimeSpan by, TimeSpan step, Action<int>? afterStep = null)
    {
        var steps = (int)(by / step);
        for (var i = 0; i < steps; i++)
        {
            Session.Clock.Advance(step);
            var now = Session.Clock.GetUtcNow().ToUnixTimeMilliseconds();
            await WaitUntilAsync(() => Client.Counters.LastPublishTime >= now, $"a message stamped {now}");
            afterStep?.Invoke(i);
        }
    }

    /// <summary>Stops the client, then lets the store write everything captured.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            await _running;
        }

        Recorder.Complete();
        if (_storing is not null)
        {
            await _storing;
        }
    }

    /// <summary>(market, time, payload) of the stored snapshots of <paramref name="source"/> (null: all), in key order.</summary>
    public static async Task<List<(string MarketId, DateTimeOffset At, string Payload)>> SnapshotsAsync(NpgsqlDataSource dataSource, string? source)
    {
        var rows = new List<(string, DateTimeOffset, string)>();
        await using var command = dataSource.CreateCommand(
            "select market_id, snapshot_at, raw_payload::text from market_book_snapshots where $1::text is null or source = $1 order by market_id, snapshot_at");
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)source ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            rows.Add((reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2)));
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
            if (_running is not null)
            {
                await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            Recorder.Complete();
            if (_storing is not null)
            {
                await _storing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        Recorder.Dispose();
        _stop.Dispose();
        if (DataSource is not null)
        {
            await DataSource.DisposeAsync();
        }

        await Session.DisposeAsync();
        File.Delete(_caPath);
    }
}

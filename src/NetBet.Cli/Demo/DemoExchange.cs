using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Data.Snapshots;
using NetBet.Data.State;
using NetBet.Ingest.Betfair;
using NetBet.Ingest.Polling;
using NetBet.Exchange;

namespace NetBet.Cli.Demo;

/// <summary>
/// The fake exchange and the real poller sharing one <see cref="DemoClock"/>: each tick polls the simulated minute,
/// then moves the clock on, so hours of football are recorded in seconds with realistic timestamps.
/// </summary>
internal sealed class DemoExchange : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMinutes(1);

    private readonly ExchangeSimulator _simulator;
    private readonly BetfairClient _client;
    private readonly MarketPoller _poller;
    private bool _disposed;

    private DemoExchange(DemoClock clock, ExchangeSimulator simulator, BetfairClient client, MarketPoller poller)
    {
        Clock = clock;
        _simulator = simulator;
        _client = client;
        _poller = poller;
    }

    public DemoClock Clock { get; }

    public Uri BaseUrl => _simulator.BaseUrl;

    internal ExchangeSimulator Simulator => _simulator;

    internal BetfairClient Client => _client;

    public static async Task<DemoExchange> StartAsync(IServiceProvider services, ILoggerFactory loggers, int markets, int seed, CancellationToken cancellationToken)
    {
        // History ends about now, so the UI's default date window shows it.
        var now = DateTimeOffset.UtcNow;
        var clock = new DemoClock(new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddHours(-4));
        var simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { Port = 0, Markets = markets, Seed = seed, StreamPort = 0 }, clock, logger: null, cancellationToken);
        var betfair = new BetfairOptions { AppKey = "netbet-demo", Username = "demo", Password = "demo" }.UseEndpoint(simulator.BaseUrl);
        var client = new BetfairClient(betfair, loggers.CreateLogger<BetfairClient>());
        var poller = new MarketPoller(
            client,
            services.GetRequiredService<SnapshotWriter>(),
            services.GetRequiredService<ServiceState>(),
            clock,
            new PollerOptions(),
            // The old schema has no service_state table yet; the poller's warning about it is expected here.
            NullLogger<MarketPoller>.Instance);
        return new DemoExchange(clock, simulator, client, poller);
    }

    /// <summary>Polls one tick a simulated minute until <paramref name="minSnapshots"/> are stored (a day at most).</summary>
    public async Task<long> RecordAsync(int minSnapshots, CancellationToken cancellationToken)
    {
        long stored = 0;
        for (var tick = 0; tick < 24 * 60 && stored < minSnapshots; tick++)
        {
            stored += (await TickAsync(cancellationToken)).SnapshotsInserted;
        }

        return stored;
    }

    public async Task<PollTickSummary> TickAsync(CancellationToken cancellationToken)
    {
        var summary = await _poller.RunTickAsync(cancellationToken);
        Clock.Advance(PollInterval);
        return summary;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _client.Dispose();
        await _simulator.DisposeAsync();
    }
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NetBet.Ingest.Betfair;
using NetBet.Exchange;

namespace NetBet.Ingest.Tests.Betfair;

/// <summary>A simulator on a free loopback port with a manual clock, and a client pointed at it with tiny backoff.</summary>
internal sealed class SimulatorSession : IAsyncDisposable
{
    public const string AppKey = "app-KEY-9f3c1e";
    public const string Username = "punter-7d21";
    public const string Password = "pa55-SECRET-4b8e";

    private SimulatorSession(ExchangeSimulator simulator, FakeTimeProvider clock, CapturedLogs logs, BetfairOptions options)
    {
        Simulator = simulator;
        Clock = clock;
        Logs = logs;
        Options = options;
        Client = new BetfairClient(options, logs.Factory.CreateLogger<BetfairClient>());
    }

    public ExchangeSimulator Simulator { get; }

    public FakeTimeProvider Clock { get; }

    public CapturedLogs Logs { get; }

    public BetfairOptions Options { get; }

    public BetfairClient Client { get; }

    public static readonly DateTimeOffset Start = new(2026, 11, 28, 13, 0, 0, TimeSpan.Zero);

    public static async Task<SimulatorSession> StartAsync(int markets = 60, Action<BetfairOptions>? configure = null, bool stream = false)
    {
        var clock = new FakeTimeProvider(Start);
        var logs = new CapturedLogs();
        var simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { Markets = markets, Seed = 11, Username = Username, Password = Password, StreamPort = stream ? 0 : null },
            clock, logs.Factory.CreateLogger<ExchangeSimulator>(), TestContext.Current.CancellationToken);
        var options = new BetfairOptions
        {
            AppKey = AppKey,
            Username = Username,
            Password = Password,
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
            RetryMaxDelay = TimeSpan.FromMilliseconds(20),
            RequestTimeout = TimeSpan.FromSeconds(10),
        }.UseEndpoint(simulator.BaseUrl);
        configure?.Invoke(options);
        return new SimulatorSession(simulator, clock, logs, options);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Simulator.DisposeAsync();
        Logs.Dispose();
    }
}

using System.Data.Common;
using Microsoft.Extensions.Logging;
using NetBet.Core.Books;
using NetBet.Data;
using NetBet.Data.Queries;
using NetBet.Data.Snapshots;
using NetBet.Data.State;
using NetBet.Ingest.Betfair;
using NetBet.Ingest.Capture;

namespace NetBet.Ingest.Polling;

/// <summary>
/// Polls Betfair for football MATCH_ODDS books. One tick: list the markets, keep 3-runner markets whose roles map
/// by <c>sortPriority</c>, fetch their books, compute each derived row from the exact bytes received, and store
/// metadata, raw snapshots and derived rows in one transaction. Snapshot times come from the injected clock.
/// </summary>
public sealed partial class MarketPoller
{
    private readonly BetfairClient _client;
    private readonly SnapshotWriter _writer;
    private readonly ServiceState _state;
    private readonly TimeProvider _time;
    private readonly PollerOptions _options;
    private readonly ILogger _logger;
    private DateTimeOffset? _lastKeepAlive;
    private bool _warnedNoState;

    /// <summary>Creates a poller.</summary>
    public MarketPoller(BetfairClient client, SnapshotWriter writer, ServiceState state, TimeProvider timeProvider,
        PollerOptions options, ILogger<MarketPoller> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _client = client;
        _writer = writer;
        _state = state;
        _time = timeProvider;
        _options = options;
        _logger = logger;
    }

    /// <summary>
    /// Runs one tick and returns what it stored. Throws when the exchange or the database fails; nothing of the
    /// tick is stored then.
    /// </summary>
    /// <param name="cancellationToken">Cancels the tick (its write is one transaction, so nothing half-written stays).</param>
    public async Task<PollTickSummary> RunTickAsync(CancellationToken cancellationToken)
    {
        var at = SnapshotCapture.StoredPrecision(_time.GetUtcNow());
        await KeepSessionAsync(at, cancellationToken);

        var window = new TimeWindow(at - _options.LookBack, at + TimeSpan.FromHours(_options.WindowHours));
        var catalogue = await _client.ListMarketCatalogueAsync(window, _options.MaxMarkets, cancellationToken);
        var capture = new SnapshotCapture(SnapshotSources.RestListMarketBook, _options.CaptureVersion);
        var markets = new Dictionary<string, (MarketMetadata Metadata, RunnerRoles Roles)>(StringComparer.Ordinal);
        foreach (var market in catalogue)
        {
            var runners = market.Runners ?? [];
            if (runners.Count != 3)
            {
                capture.Skip("not 3 runners");
                continue;
            }

            if (RunnerRoles.FromSortPriority(runners.Select(r => (r.SelectionId, r.SortPriority))) is not { } roles)
            {
                capture.Skip("roles not mapped by sortPriority");
                continue;
            }

            markets[market.MarketId] = (MarketMetadataMapping.FromCatalogue(market, roles, at), roles);
        }

        var books = markets.Count == 0 ? [] : await _client.ListMarketBookAsync(markets.Keys, cancellationToken);
        var snapshots = new List<SnapshotRecord>(books.Count);
        var answered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in books)
        {
            if (raw.MarketId is not { } marketId || !markets.TryGetValue(marketId, out var market) || !answered.Add(marketId))
            {
                capture.Skip("book for a market not asked for");
                continue;
            }

            var outcome = capture.Capture(marketId, raw.Json.Span, market.Roles, at);
            if (outcome.Snapshot is { } snapshot)
            {
                snapshots.Add(snapshot);
            }
            else
            {
                Log.UnreadableBook(_logger, marketId, outcome.Problem);
            }
        }

        var missing = markets.Count - answered.Count;
        if (missing > 0)
        {
            capture.Skip("no book returned", missing); // closed between the two calls, typically
        }

        var metadata = markets.Values.Select(m => m.Metadata).ToList();
        var written = await _writer.WriteAsync(new SnapshotBatch(metadata, snapshots), cancellationToken);
        await RecordTickAsync(new PollTickState(at, markets.Count, written.SnapshotsInserted), cancellationToken);

        var summary = new PollTickSummary(at, catalogue.Count, markets.Count, written.SnapshotsInserted,
            written.DuplicateSnapshots, written.DerivedRowsInserted, capture.Skipped, capture.NoDerivedRow);
        Log.Tick(_logger, at, catalogue.Count, markets.Count, written.SnapshotsInserted, written.DuplicateSnapshots,
            written.DerivedRowsInserted, Describe(capture.Skipped), Describe(capture.NoDerivedRow));
        return summary;
    }

    /// <summary>
    /// Ticks every <paramref name="interval"/> until <paramref name="stoppingToken"/> is cancelled. Ticks never
    /// overlap (a late tick delays the next one); a failed tick is logged and the next one runs. On a stop request
    /// the running tick finishes (up to <see cref="PollerOptions.ShutdownGrace"/>) and the method returns.
    /// </summary>
    /// <param name="interval">Time between tick starts.</param>
    /// <param name="stoppingToken">Stop request.</param>
    /// <returns>Number of successful ticks.</returns>
    public async Task<int> RunAsync(TimeSpan interval, CancellationToken stoppingToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        using var timer = new PeriodicTimer(interval, _time);
        using var hardStop = new CancellationTokenSource();
        using var registration = stoppingToken.Register(() => hardStop.CancelAfter(_options.ShutdownGrace));
        var succeeded = 0;
        do
        {
            try
            {
                await RunTickAsync(hardStop.Token);
                succeeded++;
            }
            catch (OperationCanceledException) when (hardStop.IsCancellationRequested)
            {
                Log.TickAbandoned(_logger, _options.ShutdownGrace.TotalSeconds);
                break;
            }
            catch (Exception e) when (IsTickFailure(e))
            {
                Log.TickFailed(_logger, e.GetType().Name, e.Message);
            }
        }
        while (!stoppingToken.IsCancellationRequested && await WaitForNextTickAsync(timer, stoppingToken));

        return succeeded;
    }

    /// <summary>True for the failures a tick reports and the next tick may not meet: exchange, network and database trouble.</summary>
    public static bool IsTickFailure(Exception exception) => exception is BetfairApiException or BetfairUnavailableException
        or DbException or SchemaNotReadyException or DatabaseUnavailableException or MissingMarketMetadataException or TimeoutException;

    private static async Task<bool> WaitForNextTickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    // The snapshots are stored by now; a database without the service_state table (not migrated that far, as in
    // the demo's base-schema database) only loses the tick time, so this warns instead of failing the tick.
    private async Task RecordTickAsync(PollTickState tick, CancellationToken cancellationToken)
    {
        try
        {
            await _state.SetAsync(PollTickState.Key, tick, cancellationToken);
        }
        catch (SchemaNotReadyException e)
        {
            if (!_warnedNoState)
            {
                Log.TickNotRecorded(_logger, e.Message);
                _warnedNoState = true;
            }
        }
    }

    private async Task KeepSessionAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!_client.HasSession)
        {
            await _client.LoginAsync(cancellationToken);
            _lastKeepAlive = now;
        }
        else if (_lastKeepAlive is null || now - _lastKeepAlive >= _options.KeepAliveInterval)
        {
            try
            {
                await _client.KeepAliveAsync(cancellationToken);
            }
            catch (BetfairUnavailableException e)
            {
                // Not fatal: a dead session is also caught, and replaced, by the betting calls themselves.
                Log.KeepAliveFailed(_logger, e.Message);
            }

            _lastKeepAlive = now;
        }
    }

    private static string Describe(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}: {c.Value}"));

    private static partial class Log
    {
        [LoggerMessage(5301, LogLevel.Information, "Poll tick {At:O}: {Listed} markets listed, {Polled} polled, {Inserted} snapshots stored, {Duplicates} duplicates, {Derived} derived rows; skipped: {Skipped}; no derived row: {NoDerivedRow}")]
        public static partial void Tick(ILogger logger, DateTimeOffset at, int listed, int polled, int inserted, int duplicates, int derived, string skipped, string noDerivedRow);

        [LoggerMessage(5302, LogLevel.Error, "Poll tick failed ({ExceptionType}): {Message}; the next tick will run")]
        public static partial void TickFailed(ILogger logger, string exceptionType, string message);

        [LoggerMessage(5303, LogLevel.Warning, "Market {MarketId}: unreadable book, not stored: {Message}")]
        public static partial void UnreadableBook(ILogger logger, string marketId, string? message);

        [LoggerMessage(5304, LogLevel.Warning, "Betfair keepAlive failed: {Message}")]
        public static partial void KeepAliveFailed(ILogger logger, string message);

        [LoggerMessage(5306, LogLevel.Warning, "Poll ticks are stored but their times are not recorded: {Message}")]
        public static partial void TickNotRecorded(ILogger logger, string message);

        [LoggerMessage(5305, LogLevel.Warning, "Poll tick abandoned: still running {GraceSeconds} s after the stop request; nothing of it was stored")]
        public static partial void TickAbandoned(ILogger logger, double graceSeconds);
    }
}

using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.Logging;
using NetBet.Core.Books;
using NetBet.Data;
using NetBet.Data.Queries;
using NetBet.Data.Snapshots;
using NetBet.Data.State;
using NetBet.Ingest.Betfair;
using NetBet.Ingest.Capture;
using NetBet.Ingest.Spool;

namespace NetBet.Ingest.Polling;

/// <summary>
/// Polls Betfair for football MATCH_ODDS books. One tick: list the markets, keep 3-runner markets whose roles map
/// by <c>sortPriority</c>, fetch their books, compute each derived row from the exact bytes received, and store
/// metadata, raw snapshots and derived rows in one transaction. Snapshot times come from the injected clock.
/// With a <see cref="SnapshotSpool"/>, the tick's batch is spooled before the transaction and removed after the
/// commit, and every tick first replays what an earlier tick left there, so a database outage or a crash loses no
/// fetched book. A listMarketBook request that fails after its retries loses only its own markets.
/// </summary>
public sealed partial class MarketPoller
{
    private readonly BetfairClient _client;
    private readonly SnapshotWriter _writer;
    private readonly ServiceState _state;
    private readonly TimeProvider _time;
    private readonly PollerOptions _options;
    private readonly ILogger _logger;
    private readonly SnapshotSpool? _spool;
    private DateTimeOffset? _lastKeepAlive;
    private int _loginFailures;
    private DateTimeOffset? _nextLogin;
    private bool _warnedNoState;

    /// <summary>Creates a poller; without <paramref name="spool"/> a tick the database cannot take is lost.</summary>
    public MarketPoller(BetfairClient client, SnapshotWriter writer, ServiceState state, TimeProvider timeProvider,
        PollerOptions options, ILogger<MarketPoller> logger, SnapshotSpool? spool = null)
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
        _spool = spool;
    }

    /// <summary>
    /// Runs one tick and returns what it stored: first the spool's backlog, then this tick's books. Throws when the
    /// exchange fails (nothing fetched), or when the database fails and the tick could not be spooled either
    /// (nothing of it stored); a tick kept in the spool returns with <see cref="PollTickSummary.Spooled"/>.
    /// A credentials refusal (<see cref="BetfairApiException.IsCredentialsRefused"/>) is thrown as it is.
    /// </summary>
    /// <param name="cancellationToken">Cancels the tick (its write is one transaction, so nothing half-written stays).</param>
    public async Task<PollTickSummary> RunTickAsync(CancellationToken cancellationToken)
    {
        var at = SnapshotCapture.StoredPrecision(_time.GetUtcNow());
        var databaseDown = !await ReplaySpoolAsync(cancellationToken);
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

        var fetch = markets.Count == 0 ? new MarketBookFetch([], []) : await _client.ListMarketBookByBatchAsync(markets.Keys, cancellationToken);
        var books = fetch.Books;
        var failedMarkets = fetch.Failures.SelectMany(f => f.MarketIds).ToList();
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

        if (failedMarkets.Count > 0)
        {
            capture.Skip("listMarketBook failed after retries", failedMarkets.Count);
            Log.MarketsLost(_logger, at, failedMarkets.Count, string.Join(", ", failedMarkets));
        }

        var missing = markets.Count - answered.Count - failedMarkets.Count; // a failed request answered none of its markets
        if (missing > 0)
        {
            capture.Skip("no book returned", missing); // closed between the two calls, typically
        }

        var metadata = markets.Values.Select(m => m.Metadata).ToList();
        var batch = new SnapshotBatch(metadata, snapshots);
        var summary = new PollTickSummary(at, catalogue.Count, markets.Count, 0, 0, 0, capture.Skipped, capture.NoDerivedRow)
        {
            FailedMarkets = failedMarkets,
        };
        var spooled = _spool is null || snapshots.Count == 0 ? null : await _spool.AppendAsync(batch, cancellationToken);
        if (databaseDown && spooled is not null)
        {
            // The backlog could not be written: keep the order, this tick waits behind it.
            Log.TickSpooled(_logger, at, snapshots.Count, "the spool's backlog could not be written first");
            return summary with { Spooled = true };
        }

        SnapshotWriteResult written;
        try
        {
            written = await _writer.WriteAsync(batch, cancellationToken);
        }
        catch (Exception e) when (spooled is not null && IsTickFailure(e))
        {
            Log.TickSpooled(_logger, at, snapshots.Count, $"{e.GetType().Name}: {e.Message}");
            return summary with { Spooled = true };
        }
        catch (Exception e) when (_spool is not null && snapshots.Count > 0 && IsTickFailure(e))
        {
            Log.TickLost(_logger, at, snapshots.Count, e.Message);
            throw;
        }

        if (spooled is not null)
        {
            _spool!.Remove(spooled);
        }

        await RecordTickAsync(new PollTickState(at, markets.Count, written.SnapshotsInserted), cancellationToken);
        Log.Tick(_logger, at, catalogue.Count, markets.Count, written.SnapshotsInserted, written.DuplicateSnapshots,
            written.DerivedRowsInserted, Describe(capture.Skipped), Describe(capture.NoDerivedRow));
        return summary with
        {
            SnapshotsInserted = written.SnapshotsInserted,
            Duplicates = written.DuplicateSnapshots,
            DerivedRows = written.DerivedRowsInserted,
        };
    }

    /// <summary>
    /// Writes what earlier ticks left in the spool, oldest first. False when the database could not take it (the
    /// backlog stays, the failure is logged); true when it is empty now or there is no spool.
    /// </summary>
    public async Task<bool> ReplaySpoolAsync(CancellationToken cancellationToken)
    {
        if (_spool is null)
        {
            return true;
        }

        try
        {
            await _spool.ReplayAsync(_writer.WriteAsync, cancellationToken);
            return true;
        }
        catch (Exception e) when (IsTickFailure(e))
        {
            Log.ReplayFailed(_logger, e.GetType().Name, e.Message);
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The spool itself is unreadable: say so, and let this tick go straight to the database.
            Log.SpoolUnreadable(_logger, e.Message);
            return true;
        }
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

    /// <summary>
    /// True for the failures a tick reports and the next tick may not meet: exchange, network and database trouble.
    /// Not a refusal of the credentials: that one stops the poller.
    /// </summary>
    public static bool IsTickFailure(Exception exception) => exception is BetfairApiException { IsCredentialsRefused: false } or BetfairUnavailableException
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
            if (_nextLogin is { } next && now < next)
            {
                throw new BetfairUnavailableException(string.Create(CultureInfo.InvariantCulture,
                    $"not logging in before {next:O}: backing off after {_loginFailures} failed logins"));
            }

            try
            {
                await _client.LoginAsync(cancellationToken);
            }
            catch (Exception e) when (e is BetfairUnavailableException or BetfairApiException { IsCredentialsRefused: false })
            {
                // Exponential backoff on the poller's clock, so a flapping identity service never sees one login per tick.
                _loginFailures++;
                var delay = TimeSpan.FromTicks(Math.Min(_options.LoginBackoffMax.Ticks,
                    _options.LoginBackoffBase.Ticks * (1L << Math.Min(_loginFailures - 1, 30))));
                _nextLogin = now + delay;
                Log.LoginBackoff(_logger, _loginFailures, delay.TotalSeconds, e.Message);
                throw;
            }

            (_loginFailures, _nextLogin) = (0, null);
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

        [LoggerMessage(5307, LogLevel.Warning, "Poll tick {At:O}: {Markets} markets lost for this tick, their listMarketBook request failed after its retries: {MarketIds}")]
        public static partial void MarketsLost(ILogger logger, DateTimeOffset at, int markets, string marketIds);

        [LoggerMessage(5308, LogLevel.Warning, "Poll tick {At:O}: {Snapshots} snapshots kept in the spool, not yet in the database ({Reason}); the next tick replays them")]
        public static partial void TickSpooled(ILogger logger, DateTimeOffset at, int snapshots, string reason);

        [LoggerMessage(5309, LogLevel.Error, "Poll tick {At:O}: {Snapshots} snapshots LOST: the database failed ({Message}) and the spool could not take them")]
        public static partial void TickLost(ILogger logger, DateTimeOffset at, int snapshots, string message);

        [LoggerMessage(5310, LogLevel.Warning, "Spool replay stopped, the database is unavailable ({ExceptionType}): {Message}; the backlog stays in the spool")]
        public static partial void ReplayFailed(ILogger logger, string exceptionType, string message);

        [LoggerMessage(5312, LogLevel.Error, "The spool cannot be read, its backlog is not replayed: {Message}")]
        public static partial void SpoolUnreadable(ILogger logger, string message);

        [LoggerMessage(5311, LogLevel.Warning, "Betfair login failed ({Failures} in a row): {Message}; next attempt in {DelaySeconds} s at the earliest")]
        public static partial void LoginBackoff(ILogger logger, int failures, double delaySeconds, string message);

        [LoggerMessage(5305, LogLevel.Warning, "Poll tick abandoned: still running {GraceSeconds} s after the stop request; nothing of it was stored")]
        public static partial void TickAbandoned(ILogger logger, double graceSeconds);
    }
}

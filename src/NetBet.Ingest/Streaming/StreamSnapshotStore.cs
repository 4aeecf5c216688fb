using System.Data.Common;
using Microsoft.Extensions.Logging;
using NetBet.Core.Books;
using NetBet.Core.Stream;
using NetBet.Data;
using NetBet.Data.Snapshots;
using NetBet.Data.State;
using NetBet.Ingest.Betfair;
using NetBet.Ingest.Capture;
using NetBet.Ingest.Spool;

namespace NetBet.Ingest.Streaming;

/// <summary>What <c>netbet status</c> shows about the stream recorder (<c>service_state</c> key <see cref="Key"/>).</summary>
/// <param name="LastMessageAt">When the latest message arrived (local clock).</param>
/// <param name="LastPublishTime">The latest message's <c>pt</c>.</param>
/// <param name="Clk">The latest <c>clk</c>.</param>
/// <param name="InitialClk">The latest <c>initialClk</c>.</param>
/// <param name="Snapshots">Snapshots stored by this run.</param>
/// <param name="Reconnects">Reconnects in this run.</param>
public sealed record StreamRecorderState(DateTimeOffset? LastMessageAt, DateTimeOffset? LastPublishTime, string? Clk, string? InitialClk, long Snapshots, long Reconnects)
{
    /// <summary>The <c>service_state</c> key.</summary>
    public const string Key = "stream.last_message";
}

/// <summary>
/// Stores what a <see cref="StreamRecorder"/> captured, in batches (at most a second old): metadata for market ids not
/// stored yet (<see cref="MarketMetadataMapping"/>: listMarketCatalogue, batched, first; the stream's definition when
/// the catalogue has no entry), then snapshots with derived rows through <see cref="SnapshotWriter"/>. With a
/// <see cref="SnapshotSpool"/> each batch is appended to it (fsync'd) before the database sees it and removed after
/// the commit, the backlog replayed oldest first, so no book is lost when the database is away or the process dies;
/// without one (or when the spool is full) a batch is kept in memory and retried with backoff. Also records
/// <see cref="StreamRecorderState"/>.
/// </summary>
public sealed partial class StreamSnapshotStore(
    SnapshotWriter writer, ServiceState state, BetfairClient? betfair, ILogger<StreamSnapshotStore> logger, SnapshotSpool? spool = null)
{
    private const int BatchLimit = 2000;
    private static readonly TimeSpan BatchAge = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, MarketMetadata> _metadata = new(StringComparer.Ordinal);
    private long _inserted, _duplicates;
    private TimeSpan _replayDelay = TimeSpan.Zero;
    private DateTime _nextReplay = DateTime.MinValue;

    /// <summary>Snapshots inserted so far (spooled ones of an earlier run included once replayed).</summary>
    public long Inserted => Interlocked.Read(ref _inserted);

    /// <summary>Snapshots that were already stored.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>
    /// Stores until the recorder completes its queue, first replaying what an earlier run left in the spool.
    /// <paramref name="cancellationToken"/> only aborts a database retry wait; queued snapshots are still written (or
    /// spooled) when the recorder completes normally.
    /// </summary>
    public async Task RunAsync(StreamRecorder recorder, ExchangeStreamClient? client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        await TryReplayAsync(client, force: true);
        var reader = recorder.Snapshots;
        var batch = new List<CapturedSnapshot>();
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            var started = DateTime.UtcNow;
            while (batch.Count < BatchLimit)
            {
                if (reader.TryRead(out var item))
                {
                    batch.Add(item);
                    continue;
                }

                var left = BatchAge - (DateTime.UtcNow - started);
                if (left <= TimeSpan.Zero || reader.Completion.IsCompleted)
                {
                    break;
                }

                using var wait = new CancellationTokenSource(left);
                try
                {
                    if (!await reader.WaitToReadAsync(wait.Token))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            await StoreAsync(batch, client, cancellationToken);
            batch.Clear();
        }

        // Stopping: one last go at the backlog; what the database does not take stays in the spool for the next run.
        await TryReplayAsync(client, force: true);
    }

    private async Task StoreAsync(List<CapturedSnapshot> captured, ExchangeStreamClient? client, CancellationToken cancellationToken)
    {
        var batch = await BatchAsync(captured, cancellationToken);
        if (spool is not null && await spool.AppendAsync(batch, CancellationToken.None) is not null)
        {
            // The spool has it (and its metadata, replayed first): the database gets it with the backlog, in order.
            await TryReplayAsync(client, force: false);
            return;
        }

        await WriteWithRetryAsync(batch, client, cancellationToken);
    }

    // Writes the spool's backlog unless the database failed recently (then it waits its backoff, so a database that
    // is away does not hold up every batch for a connect timeout). Failures are logged; the backlog stays.
    private async Task TryReplayAsync(ExchangeStreamClient? client, bool force)
    {
        if (spool is null || (!force && DateTime.UtcNow < _nextReplay))
        {
            return;
        }

        try
        {
            var replay = await spool.ReplayAsync(writer.WriteAsync, CancellationToken.None);
            _replayDelay = TimeSpan.Zero;
            if (replay.Batches > 0)
            {
                Interlocked.Add(ref _inserted, replay.SnapshotsInserted);
                Interlocked.Add(ref _duplicates, replay.Duplicates);
                await RecordStateAsync(client);
            }
        }
        catch (Exception e) when (IsDatabaseFailure(e) || e is IOException or UnauthorizedAccessException)
        {
            _replayDelay = TimeSpan.FromTicks(Math.Clamp(_replayDelay.Ticks * 2, TimeSpan.FromMilliseconds(500).Ticks, MaxRetryDelay.Ticks));
            _nextReplay = DateTime.UtcNow + _replayDelay;
            Log.Spooled(logger, spool.Directory, e.Message, _replayDelay.TotalMilliseconds);
        }
    }

    private async Task WriteWithRetryAsync(SnapshotBatch batch, ExchangeStreamClient? client, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            try
            {
                var result = await writer.WriteAsync(batch, CancellationToken.None);
                Interlocked.Add(ref _inserted, result.SnapshotsInserted);
                Interlocked.Add(ref _duplicates, result.DuplicateSnapshots);
                Log.Written(logger, batch.Snapshots.Count, result.SnapshotsInserted, batch.Metadata.Count);
                await RecordStateAsync(client);
                return;
            }
            catch (Exception e) when (IsDatabaseFailure(e))
            {
                Log.WriteFailed(logger, batch.Snapshots.Count, e.Message, delay.TotalMilliseconds);
                if (cancellationToken.IsCancellationRequested)
                {
                    Log.Dropped(logger, batch.Snapshots.Count);
                    return;
                }

                try
                {
                    await Task.Delay(delay, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    // Stopping: one last attempt below.
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    private static bool IsDatabaseFailure(Exception e) => e is DbException or DatabaseUnavailableException or TimeoutException;

    private async Task RecordStateAsync(ExchangeStreamClient? client)
    {
        if (client is null)
        {
            return;
        }

        var counters = client.Counters;
        await state.SetAsync(StreamRecorderState.Key, new StreamRecorderState(
            counters.LastReceivedAt,
            counters.LastPublishTime > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(counters.LastPublishTime) : null,
            counters.Clk,
            counters.InitialClk,
            Inserted,
            counters.Reconnects), CancellationToken.None);
    }

    // The batch to store: the snapshots and their markets' metadata, fetched once per market. Every batch carries
    // the metadata (roles included) of each of its markets, so a spooled batch replays on its own, derived rows too.
    private async Task<SnapshotBatch> BatchAsync(List<CapturedSnapshot> captured, CancellationToken cancellationToken)
    {
        var newMarkets = captured.Where(s => !_metadata.ContainsKey(s.Record.MarketId))
            .GroupBy(s => s.Record.MarketId, StringComparer.Ordinal)
            .Select(g => g.First())
            .ToList();
        foreach (var metadata in await MetadataAsync(newMarkets, cancellationToken))
        {
            _metadata[metadata.MarketId] = metadata;
        }

        var markets = captured.Select(s => s.Record.MarketId).Distinct(StringComparer.Ordinal).Select(id => _metadata[id]).ToList();
        return new SnapshotBatch(markets, [.. captured.Select(s => s.Record)]);
    }

    private async Task<List<MarketMetadata>> MetadataAsync(List<CapturedSnapshot> markets, CancellationToken cancellationToken)
    {
        if (markets.Count == 0)
        {
            return [];
        }

        var catalogue = new Dictionary<string, MarketCatalogue>(StringComparer.Ordinal);
        if (betfair is not null)
        {
            try
            {
                foreach (var entry in await betfair.ListMarketCatalogueByIdAsync([.. markets.Select(m => m.Record.MarketId)], cancellationToken))
                {
                    catalogue[entry.MarketId] = entry;
                }
            }
            catch (Exception e) when (e is BetfairUnavailableException or BetfairApiException or OperationCanceledException)
            {
                // The stream's own definition still gives event, country, start time and roles; names come later.
                Log.CatalogueFailed(logger, markets.Count, e.Message);
            }
        }

        return [.. markets.Select(m => ToMetadata(m.Definition, catalogue.GetValueOrDefault(m.Record.MarketId), m.Roles, m.Record))];
    }

    /// <summary>The catalogue's description where there is one, the stream definition's otherwise (<see cref="MarketMetadataMapping"/>).</summary>
    internal static MarketMetadata ToMetadata(MarketDefinition definition, MarketCatalogue? catalogue, RunnerRoles roles, SnapshotRecord first) =>
        catalogue is not null
            ? MarketMetadataMapping.FromCatalogue(catalogue, roles, first.SnapshotAt)
            : MarketMetadataMapping.FromDefinition(first.MarketId, definition, roles, first.SnapshotAt);

    private static partial class Log
    {
        [LoggerMessage(5411, LogLevel.Debug, "Stored {Snapshots} stream snapshots ({Inserted} new) of {Markets} markets")]
        public static partial void Written(ILogger logger, int snapshots, int inserted, int markets);

        [LoggerMessage(5412, LogLevel.Warning, "Could not store {Snapshots} stream snapshots ({Reason}); retrying in {DelayMs:0} ms")]
        public static partial void WriteFailed(ILogger logger, int snapshots, string reason, double delayMs);

        [LoggerMessage(5413, LogLevel.Warning, "listMarketCatalogue for {Markets} new markets failed ({Reason}); using the stream's definitions")]
        public static partial void CatalogueFailed(ILogger logger, int markets, string reason);

        [LoggerMessage(5414, LogLevel.Error, "Stopping with {Snapshots} stream snapshots not stored (database unavailable, no spool took them)")]
        public static partial void Dropped(ILogger logger, int snapshots);

        [LoggerMessage(5415, LogLevel.Warning, "Stream snapshots kept in the spool {Directory}, not yet in the database ({Reason}); trying again in {DelayMs:0} ms")]
        public static partial void Spooled(ILogger logger, string directory, string reason, double delayMs);
    }
}

using System.Data.Common;
using Microsoft.Extensions.Logging;
using NetBet.Core.Books;
using NetBet.Core.Stream;
using NetBet.Data;
using NetBet.Data.Snapshots;
using NetBet.Data.State;
using NetBet.Ingest.Betfair;

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
/// stored yet, from listMarketCatalogue (batched) with the stream's definition as the fallback, then snapshots with
/// derived rows through <see cref="SnapshotWriter"/>. When the database is away the batch is kept and retried with
/// backoff, so no book is lost while the process lives. Also records <see cref="StreamRecorderState"/>.
/// </summary>
public sealed partial class StreamSnapshotStore(
    SnapshotWriter writer, ServiceState state, BetfairClient? betfair, ILogger<StreamSnapshotStore> logger)
{
    private const int BatchLimit = 2000;
    private static readonly TimeSpan BatchAge = TimeSpan.FromSeconds(1);

    private readonly HashSet<string> _knownMarkets = new(StringComparer.Ordinal);
    private long _inserted, _duplicates;

    /// <summary>Snapshots inserted so far.</summary>
    public long Inserted => Interlocked.Read(ref _inserted);

    /// <summary>Snapshots that were already stored.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>
    /// Stores until the recorder completes its queue. <paramref name="cancellationToken"/> only aborts a database
    /// retry wait; queued snapshots are still written when the recorder completes normally.
    /// </summary>
    public async Task RunAsync(StreamRecorder recorder, ExchangeStreamClient? client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recorder);
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

            await WriteWithRetryAsync(batch, client, cancellationToken);
            batch.Clear();
        }
    }

    private async Task WriteWithRetryAsync(List<CapturedSnapshot> batch, ExchangeStreamClient? client, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            try
            {
                await WriteAsync(batch, client, cancellationToken);
                return;
            }
            catch (Exception e) when (e is DbException or DatabaseUnavailableException or TimeoutException)
            {
                Log.WriteFailed(logger, batch.Count, e.Message, delay.TotalMilliseconds);
                if (cancellationToken.IsCancellationRequested)
                {
                    Log.Dropped(logger, batch.Count);
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

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    private async Task WriteAsync(List<CapturedSnapshot> batch, ExchangeStreamClient? client, CancellationToken cancellationToken)
    {
        var newMarkets = batch.Where(s => !_knownMarkets.Contains(s.Record.MarketId))
            .GroupBy(s => s.Record.MarketId, StringComparer.Ordinal)
            .Select(g => g.First())
            .ToList();
        var metadata = await MetadataAsync(newMarkets, cancellationToken);
        var result = await writer.WriteAsync(new SnapshotBatch(metadata, [.. batch.Select(s => s.Record)]), CancellationToken.None);
        Interlocked.Add(ref _inserted, result.SnapshotsInserted);
        Interlocked.Add(ref _duplicates, result.DuplicateSnapshots);
        foreach (var market in newMarkets)
        {
            _knownMarkets.Add(market.Record.MarketId);
        }

        Log.Written(logger, batch.Count, result.SnapshotsInserted, newMarkets.Count);
        if (client is not null)
        {
            var counters = client.Counters;
            await state.SetAsync(StreamRecorderState.Key, new StreamRecorderState(
                counters.LastReceivedAt,
                counters.LastPublishTime > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(counters.LastPublishTime) : null,
                counters.Clk,
                counters.InitialClk,
                Inserted,
                counters.Reconnects), CancellationToken.None);
        }
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
            catch (Exception e) when (e is BetfairUnavailableException or BetfairApiException)
            {
                // The stream's own definition still gives event, country, start time and roles; names come later.
                Log.CatalogueFailed(logger, markets.Count, e.Message);
            }
        }

        return [.. markets.Select(m => ToMetadata(m.Definition, catalogue.GetValueOrDefault(m.Record.MarketId), m.Roles, m.Record))];
    }

    /// <summary>The catalogue's description where there is one, the stream definition's otherwise.</summary>
    internal static MarketMetadata ToMetadata(MarketDefinition definition, MarketCatalogue? catalogue, RunnerRoles roles, SnapshotRecord first)
    {
        var runners = catalogue?.Runners ?? [];
        string? Name(long selectionId) =>
            runners.FirstOrDefault(r => r.SelectionId == selectionId)?.RunnerName
            ?? definition.Runners.FirstOrDefault(r => r.SelectionId == selectionId)?.Name;
        return new MarketMetadata(first.MarketId)
        {
            MarketName = catalogue?.MarketName ?? definition.Name,
            MarketStartTime = catalogue?.MarketStartTime ?? definition.MarketTime,
            SportId = definition.EventTypeId ?? "1",
            SportName = "Soccer",
            EventId = catalogue?.Event?.Id ?? definition.EventId,
            EventName = catalogue?.Event?.Name ?? definition.EventName,
            EventOpenDate = catalogue?.Event?.OpenDate ?? definition.OpenDate,
            CountryCode = catalogue?.Event?.CountryCode ?? definition.CountryCode,
            CompetitionId = catalogue?.Competition?.Id,
            CompetitionName = catalogue?.Competition?.Name,
            Timezone = catalogue?.Event?.Timezone ?? definition.Timezone,
            HomeRunnerName = Name(roles.Home),
            AwayRunnerName = Name(roles.Away),
            DrawRunnerName = Name(roles.Draw),
            SeenAt = first.SnapshotAt,
        }.WithRoles(roles);
    }

    private static partial class Log
    {
        [LoggerMessage(5411, LogLevel.Debug, "Stored {Snapshots} stream snapshots ({Inserted} new), {Markets} new markets")]
        public static partial void Written(ILogger logger, int snapshots, int inserted, int markets);

        [LoggerMessage(5412, LogLevel.Warning, "Could not store {Snapshots} stream snapshots ({Reason}); retrying in {DelayMs:0} ms")]
        public static partial void WriteFailed(ILogger logger, int snapshots, string reason, double delayMs);

        [LoggerMessage(5413, LogLevel.Warning, "listMarketCatalogue for {Markets} new markets failed ({Reason}); using the stream's definitions")]
        public static partial void CatalogueFailed(ILogger logger, int markets, string reason);

        [LoggerMessage(5414, LogLevel.Error, "Stopping with {Snapshots} stream snapshots not stored (database unavailable)")]
        public static partial void Dropped(ILogger logger, int snapshots);
    }
}

using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NetBet.Core.Books;
using NetBet.Core.Stream;
using NetBet.Data.Snapshots;
using NetBet.Ingest.Capture;
using SharpCompress.Common;

namespace NetBet.Ingest.Import;

/// <summary>A batch a lane has built, with where in which file it was cut (for the progress line).</summary>
internal sealed record LaneBatch(SnapshotBatch Batch, string File, long Line);

/// <summary>
/// One parsing lane of <see cref="StreamImporter"/>: reads whole stream files one after the other, rebuilds each
/// market (<see cref="StreamCache"/>), samples snapshots in exchange time (<see cref="SnapshotSampler"/>), renders each
/// as a listMarketBook MarketBook, captures it (derived row from exactly those bytes) and hands full batches to the
/// writers. Everything it keeps is its own, so lanes run side by side on different files; not thread-safe itself.
/// </summary>
internal sealed partial class ImportLane : IDisposable
{
    private readonly ImportOptions _options;
    private readonly MarketFilter _filter;
    private readonly long _batchBytesLimit;
    private readonly Action<string, long?, string> _reportError;
    private readonly Func<LaneBatch, CancellationToken, ValueTask> _submit;
    private readonly ILogger _logger;
    private readonly ArrayBufferWriter<byte> _json = new(16 * 1024);
    private readonly Utf8JsonWriter _jsonWriter;
    private readonly List<SnapshotRecord> _batch = [];

    // The latest definition, roles and snapshot time of each market in the batch: its metadata row is made once per
    // batch, at the flush, not once per snapshot.
    private readonly Dictionary<string, (MarketDefinition Definition, RunnerRoles Roles, DateTimeOffset At)> _batchMarkets = new(StringComparer.Ordinal);
    private long _batchBytes;

    /// <param name="batchBytesLimit">Payload bytes after which this lane's batch is handed on (its share of <see cref="ImportOptions.BatchBytes"/>).</param>
    /// <param name="reportError">Reports <c>file:line: what</c> and counts it; thread-safe.</param>
    /// <param name="submit">Hands a full batch to the writers; waits while they are behind.</param>
    public ImportLane(
        ImportOptions options,
        MarketFilter filter,
        long batchBytesLimit,
        Action<string, long?, string> reportError,
        Func<LaneBatch, CancellationToken, ValueTask> submit,
        ILogger logger)
    {
        _options = options;
        _filter = filter;
        _batchBytesLimit = batchBytesLimit;
        _reportError = reportError;
        _submit = submit;
        _logger = logger;
        _jsonWriter = new Utf8JsonWriter(_json);
        Capture = new SnapshotCapture(SnapshotSources.HistoricalStream, options.CaptureVersion);
    }

    public SnapshotCapture Capture { get; }

    /// <summary>Markets with at least one snapshot built by this lane.</summary>
    public HashSet<string> Imported { get; } = new(StringComparer.Ordinal);

    /// <summary>Markets this lane saw without building a snapshot, by reason (a market imported by another lane is not skipped).</summary>
    public Dictionary<string, string> Skipped { get; } = new(StringComparer.Ordinal);

    public int Files { get; private set; }

    public long Lines { get; private set; }

    public long Messages { get; private set; }

    public long Updates { get; private set; }

    public void Dispose() => _jsonWriter.Dispose();

    /// <summary>Imports every stream file in <paramref name="path"/> (a file, or an archive of them), in order.</summary>
    public async Task ImportPathAsync(string path, CancellationToken cancellationToken)
    {
        IEnumerator<StreamInput> inputs;
        try
        {
            inputs = StreamInputs.Open(path).GetEnumerator();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _reportError(path, null, $"cannot open: {e.Message}");
            return;
        }

        using (inputs)
        {
            while (true)
            {
                try
                {
                    if (!inputs.MoveNext())
                    {
                        break;
                    }
                }
                catch (Exception e) when (IsReadFailure(e))
                {
                    _reportError(path, null, $"cannot read: {e.Message}");
                    break;
                }

                var input = inputs.Current;
                if (input.Problem is { } problem)
                {
                    Files++;
                    _reportError(input.Name, null, problem);
                    continue;
                }

                await ImportFileAsync(input, cancellationToken);
            }
        }
    }

    /// <summary>Hands on the batch being built, if any.</summary>
    public async ValueTask FlushAsync(string file, long line, CancellationToken cancellationToken)
    {
        if (_batch.Count == 0)
        {
            return;
        }

        var metadata = new List<MarketMetadata>(_batchMarkets.Count);
        foreach (var (marketId, (definition, roles, at)) in _batchMarkets)
        {
            metadata.Add(MarketMetadataMapping.FromDefinition(marketId, definition, roles, at));
        }

        var batch = new LaneBatch(new SnapshotBatch(metadata, [.. _batch]), file, line);
        _batch.Clear();
        _batchMarkets.Clear();
        _batchBytes = 0;
        await _submit(batch, cancellationToken);
    }

    private async Task ImportFileAsync(StreamInput input, CancellationToken cancellationToken)
    {
        Files++;
        Log.FileStarted(_logger, input.Name);
        var file = new FileState(new StreamCache(), new SnapshotSampler(_options.Every), [], new HashSet<string>(StringComparer.Ordinal),
            _options.CarryForward ? new GridSampler(_options.Every) : null);
        var lines = new LineReader(input.Content!);
        while (true)
        {
            bool found, tooLong;
            try
            {
                (found, tooLong) = await lines.MoveNextAsync(cancellationToken);
            }
            catch (Exception e) when (IsReadFailure(e))
            {
                _reportError(input.Name, lines.LineNumber + 1, $"cannot read further: {e.Message}");
                break;
            }

            if (!found)
            {
                break;
            }

            if (tooLong)
            {
                Lines++;
                _reportError(input.Name, lines.LineNumber, $"line longer than {LineReader.MaxLineBytes >> 20} MB");
                continue;
            }

            ProcessLine(input.Name, lines.LineNumber, lines.Current, file);
            if (_batch.Count >= _options.BatchSize || _batchBytes >= _batchBytesLimit)
            {
                await FlushAsync(input.Name, lines.LineNumber, cancellationToken);
            }
        }

        foreach (var market in file.Cache.Markets)
        {
            RecordSkipped(file, market);
        }
    }

    private void ProcessLine(string name, long lineNumber, ReadOnlySpan<byte> line, FileState file)
    {
        if (line.Trim(" \t\r"u8).IsEmpty)
        {
            return;
        }

        Lines++;
        if (file.Grid is not null)
        {
            ProcessLineOnGrid(name, lineNumber, line, file);
            return;
        }

        StreamApplyResult result;
        try
        {
            result = file.Cache.Apply(line);
        }
        catch (StreamFormatException e)
        {
            _reportError(name, lineNumber, e.Message);
            return;
        }

        Messages++;
        Updates += result.Updates;
        if (result.Kind != StreamMessageKind.MarketChange)
        {
            return;
        }

        var publishTime = result.PublishTime!.Value;
        foreach (var market in file.Cache.ChangedMarkets)
        {
            if (file.Closed.Contains(market.MarketId))
            {
                // Lines after the close (Betfair clearing the traded ladders) change nothing that is stored.
                file.Cache.Remove(market.MarketId);
                continue;
            }

            var due = file.Sampler.Check(market, publishTime) != SnapshotTrigger.None;
            var roles = Decide(file, market).Roles;
            if (due && roles is not null)
            {
                file.Sampler.Taken(market, publishTime);
                if (AddSnapshot(market, roles, publishTime) is { } problem)
                {
                    _reportError(name, lineNumber, $"market {market.MarketId}: rendered book not stored: {problem}");
                }
            }

            // A closed market's last snapshot is the one taken as it closed (none when it is not kept or has no
            // book); once that is behind it, it leaves memory.
            if (market.Status == "CLOSED" && (due || roles is null || !market.HasBook))
            {
                Evict(file, market);
            }
        }
    }

    private void Evict(FileState file, MarketState market)
    {
        RecordSkipped(file, market);
        file.Cache.Remove(market.MarketId);
        file.Sampler.Forget(market);
        file.Decisions.Remove(market);
        file.Closed.Add(market.MarketId);
    }

    private void RecordSkipped(FileState file, MarketState market)
    {
        if (!Imported.Contains(market.MarketId))
        {
            var decision = Decide(file, market);
            Skipped[market.MarketId] = decision.Keep ? MarketFilter.NoBookData : decision.SkipReason!;
        }
    }

    /// <summary>The filter's decision, recomputed only when the market's definition object changed.</summary>
    private MarketDecision Decide(FileState file, MarketState market)
    {
        if (file.Decisions.TryGetValue(market, out var cached) && ReferenceEquals(cached.Definition, market.Definition))
        {
            return cached.Decision;
        }

        var decision = _filter.Decide(market.Definition);
        file.Decisions[market] = (market.Definition, decision);
        return decision;
    }

    /// <summary>Renders the market's book and captures it; returns why it was not stored, or null.</summary>
    private string? AddSnapshot(MarketState market, RunnerRoles roles, long publishTime)
    {
        _json.ResetWrittenCount();
        _jsonWriter.Reset(_json);
        market.WriteMarketBook(_jsonWriter);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(publishTime);
        var outcome = Capture.Capture(market.MarketId, _json.WrittenSpan, roles, at);
        if (outcome.Snapshot is not { } snapshot)
        {
            return outcome.Problem;
        }

        _batch.Add(snapshot);
        _batchBytes += _json.WrittenCount;
        _batchMarkets[market.MarketId] = (market.Definition!, roles, at);
        Imported.Add(market.MarketId);
        return null;
    }

    private static bool IsReadFailure(Exception e) =>
        e is IOException or InvalidDataException or SharpCompressException or UnauthorizedAccessException;

    /// <param name="Closed">Markets evicted as closed in this file; later lines about them are ignored.</param>
    /// <param name="Grid">The carry-forward grid (<c>--carry-forward</c>), or null for first message per interval.</param>
    private sealed record FileState(
        StreamCache Cache,
        SnapshotSampler Sampler,
        Dictionary<MarketState, (MarketDefinition? Definition, MarketDecision Decision)> Decisions,
        HashSet<string> Closed,
        GridSampler? Grid);

    private static partial class Log
    {
        [LoggerMessage(5301, LogLevel.Information, "Importing {File}")]
        public static partial void FileStarted(ILogger logger, string file);
    }
}

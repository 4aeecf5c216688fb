using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NetBet.Core.Books;
using NetBet.Core.Stream;
using NetBet.Data.Snapshots;
using NetBet.Ingest.Capture;
using SharpCompress.Common;

namespace NetBet.Ingest.Import;

/// <summary>
/// Imports Betfair historical stream files: rebuilds each market (<see cref="StreamCache"/>), samples snapshots
/// in exchange time (<see cref="SnapshotSampler"/>), renders each as a listMarketBook MarketBook, computes the
/// derived row from exactly those bytes and writes batches through <see cref="SnapshotWriter"/>. Memory is bounded
/// on any file: lines are read one at a time (<see cref="LineReader.MaxLineBytes"/>), the cache rejects prices off
/// the price ladder and caps runners and markets, a market leaves the cache once it is closed and its last snapshot
/// is taken, and a batch is written after <see cref="ImportOptions.BatchSize"/> snapshots or
/// <see cref="ImportOptions.BatchBytes"/> payload bytes, whichever comes first. A malformed line is written to
/// <c>errors</c> as <c>file:line: what</c>, counted, and the import goes on.
/// </summary>
public sealed partial class StreamImporter : IDisposable
{
    private readonly SnapshotWriter _writer;
    private readonly ILogger<StreamImporter> _logger;
    private readonly ImportOptions _options;
    private readonly TextWriter _errors;
    private readonly TextWriter? _progress;
    private readonly MarketFilter _filter;
    private readonly ArrayBufferWriter<byte> _json = new(16 * 1024);
    private readonly Utf8JsonWriter _jsonWriter;
    private readonly List<SnapshotRecord> _batch = [];
    private readonly Dictionary<string, MarketMetadata> _batchMetadata = new(StringComparer.Ordinal);
    private readonly HashSet<string> _imported = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _skipped = new(StringComparer.Ordinal);
    private readonly SnapshotCapture _capture;
    private readonly Stopwatch _clock = new();
    private readonly Stopwatch _writeClock = new();
    private int _files;
    private long _batchBytes;
    private long _lines, _messages, _updates, _inserted, _duplicates, _derived, _errorCount;

    public StreamImporter(SnapshotWriter writer, ILogger<StreamImporter> logger, ImportOptions options, TextWriter errors, TextWriter? progress)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchBytes, 1);
        _writer = writer;
        _logger = logger;
        _options = options;
        _errors = errors;
        _progress = progress;
        _filter = new MarketFilter(options.AllMarkets);
        _jsonWriter = new Utf8JsonWriter(_json);
        _capture = new SnapshotCapture(SnapshotSources.HistoricalStream, options.CaptureVersion);
    }

    public void Dispose() => _jsonWriter.Dispose();

    /// <summary>Wall time spent in batch writes so far (the benchmark's time split).</summary>
    internal TimeSpan WriteTime => _writeClock.Elapsed;

    /// <summary>
    /// Why a PATH argument cannot be imported (missing, unreadable, or a top-level file in an unsupported
    /// compression or format), or null. Files inside folders and archives are checked while importing.
    /// </summary>
    public static string? CheckPath(string path)
    {
        if (StreamInputs.CheckPath(path) is { } missing)
        {
            return missing;
        }

        try
        {
            return StreamInputs.Probe(path) is { } unsupported ? $"{path}: {unsupported}" : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{path}: cannot open: {e.Message}";
        }
    }

    /// <summary>Imports every stream file under <paramref name="paths"/> (files, folders, archives) in order.</summary>
    public async Task<ImportSummary> ImportAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        _clock.Start();
        try
        {
            foreach (var path in paths)
            {
                foreach (var file in StreamInputs.ExpandPath(path))
                {
                    await ImportPathAsync(file, cancellationToken);
                }
            }

            await FlushAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Batches already written are committed; the one being built is dropped (a rerun adds it).
            return Summary() with { Interrupted = true };
        }

        return Summary();
    }

    private async Task ImportPathAsync(string path, CancellationToken cancellationToken)
    {
        IEnumerator<StreamInput> inputs;
        try
        {
            inputs = StreamInputs.Open(path).GetEnumerator();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ReportError(path, null, $"cannot open: {e.Message}");
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
                    ReportError(path, null, $"cannot read: {e.Message}");
                    break;
                }

                var input = inputs.Current;
                if (input.Problem is { } problem)
                {
                    _files++;
                    ReportError(input.Name, null, problem);
                    continue;
                }

                await ImportFileAsync(input, cancellationToken);
            }
        }
    }

    private async Task ImportFileAsync(StreamInput input, CancellationToken cancellationToken)
    {
        _files++;
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
                ReportError(input.Name, lines.LineNumber + 1, $"cannot read further: {e.Message}");
                break;
            }

            if (!found)
            {
                break;
            }

            if (tooLong)
            {
                _lines++;
                ReportError(input.Name, lines.LineNumber, $"line longer than {LineReader.MaxLineBytes >> 20} MB");
                continue;
            }

            ProcessLine(input.Name, lines.LineNumber, lines.Current, file);
            if (_batch.Count >= _options.BatchSize || _batchBytes >= _options.BatchBytes)
            {
                await FlushAsync(cancellationToken);
                ReportProgress(input.Name, lines.LineNumber);
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

        _lines++;
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
            ReportError(name, lineNumber, e.Message);
            return;
        }

        _messages++;
        _updates += result.Updates;
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
                    ReportError(name, lineNumber, $"market {market.MarketId}: rendered book not stored: {problem}");
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
        if (!_imported.Contains(market.MarketId))
        {
            var decision = Decide(file, market);
            _skipped[market.MarketId] = decision.Keep ? MarketFilter.NoBookData : decision.SkipReason!;
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
        var outcome = _capture.Capture(market.MarketId, _json.WrittenSpan, roles, at);
        if (outcome.Snapshot is not { } snapshot)
        {
            return outcome.Problem;
        }

        _batch.Add(snapshot);
        _batchBytes += _json.WrittenCount;
        _batchMetadata[market.MarketId] = MarketMetadataMapping.FromDefinition(market.MarketId, market.Definition!, roles, at);
        _imported.Add(market.MarketId);
        return null;
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_batch.Count == 0)
        {
            return;
        }

        _writeClock.Start();
        var result = await _writer.WriteAsync(new SnapshotBatch([.. _batchMetadata.Values], [.. _batch]), cancellationToken);
        _writeClock.Stop();
        _inserted += result.SnapshotsInserted;
        _duplicates += result.DuplicateSnapshots;
        _derived += result.DerivedRowsInserted;
        if (result.SnapshotsInserted > 0)
        {
            await _writer.MarkHistoryChangedAsync(cancellationToken);
        }

        Log.BatchWritten(_logger, _batch.Count, result.SnapshotsInserted, result.DuplicateSnapshots);
        _batch.Clear();
        _batchMetadata.Clear();
        _batchBytes = 0;
    }

    private void ReportError(string name, long? lineNumber, string what)
    {
        _errorCount++;
        _errors.WriteLine(lineNumber is { } n ? string.Create(CultureInfo.InvariantCulture, $"{name}:{n}: {what}") : $"{name}: {what}");
    }

    private void ReportProgress(string name, long lineNumber)
    {
        var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 1e-3);
        _progress?.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"import: {_lines} lines ({_lines / seconds:0} lines/s), {_inserted} snapshots inserted, {_duplicates} duplicates, {_errorCount} errors; at {name}:{lineNumber}"));
    }

    private ImportSummary Summary()
    {
        var skipped = _skipped.Where(p => !_imported.Contains(p.Key))
            .GroupBy(p => p.Value, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new ImportSummary
        {
            Files = _files,
            Lines = _lines,
            Messages = _messages,
            Updates = _updates,
            MarketsImported = _imported.Count,
            MarketsSkipped = skipped,
            SnapshotsInserted = _inserted,
            Duplicates = _duplicates,
            DerivedRows = _derived,
            NoDerivedRow = new Dictionary<string, int>(_capture.NoDerivedRow),
            Errors = _errorCount,
        };
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

        [LoggerMessage(5302, LogLevel.Debug, "Wrote a batch of {Snapshots} snapshots: {Inserted} inserted, {Duplicates} duplicates")]
        public static partial void BatchWritten(ILogger logger, int snapshots, int inserted, int duplicates);
    }
}

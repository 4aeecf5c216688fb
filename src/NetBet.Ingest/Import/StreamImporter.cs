using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NetBet.Core.Stream;
using NetBet.Data.Snapshots;
using Npgsql;

namespace NetBet.Ingest.Import;

/// <summary>
/// Imports Betfair historical stream files: rebuilds each market (<see cref="StreamCache"/>), samples snapshots
/// in exchange time (<see cref="SnapshotSampler"/>), renders each as a listMarketBook MarketBook, computes the
/// derived row from exactly those bytes and writes batches through <see cref="SnapshotWriter"/>.
/// <para>
/// A pipeline: <see cref="ImportOptions.Lanes"/> lanes (<see cref="ImportLane"/>) parse whole files side by side
/// while <see cref="ImportOptions.Writers"/> writers store the batches they hand over through a bounded queue, so
/// parsing goes on while PostgreSQL stores the previous batches. Each batch is one transaction carrying its markets'
/// metadata, so batches do not depend on each other and no run leaves one half-written.
/// </para>
/// <para>
/// Memory is bounded on any input: lines are read one at a time (<see cref="LineReader.MaxLineBytes"/>), the cache
/// rejects prices off the price ladder and caps runners and markets, a market leaves the cache once it is closed and
/// its last snapshot is taken, and a lane hands its batch on after <see cref="ImportOptions.BatchSize"/> snapshots or
/// its share of <see cref="ImportOptions.BatchBytes"/>, which bounds the payload of all batches in memory together
/// (being built, queued and being written). A malformed line is written to <c>errors</c> as <c>file:line: what</c>,
/// counted, and the import goes on.
/// </para>
/// </summary>
public sealed partial class StreamImporter : IDisposable
{
    // A batch that meets another writer's batch on the same rows (the same market in two files) can deadlock;
    // PostgreSQL rolls one back whole, and writing it again is safe.
    private const int DeadlockRetries = 3;

    private readonly SnapshotWriter _writer;
    private readonly ILogger<StreamImporter> _logger;
    private readonly ImportOptions _options;
    private readonly TextWriter _errors;
    private readonly TextWriter? _progress;
    private readonly MarketFilter _filter;
    private readonly Stopwatch _clock = new();
    private readonly Lock _report = new();
    private ImportLane[] _lanes = [];
    private long _inserted, _duplicates, _derived, _errorCount, _writeTicks, _waitTicks;

    public StreamImporter(SnapshotWriter writer, ILogger<StreamImporter> logger, ImportOptions options, TextWriter errors, TextWriter? progress)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Lanes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Writers, 1);
        _writer = writer;
        _logger = logger;
        _options = options;
        _errors = errors;
        _progress = progress;
        _filter = new MarketFilter(options.AllMarkets);
    }

    public void Dispose()
    {
        foreach (var lane in _lanes)
        {
            lane.Dispose();
        }
    }

    /// <summary>Time spent in batch writes so far, summed over the writers (the benchmark's time split).</summary>
    internal TimeSpan WriteTime => TimeSpan.FromTicks(Interlocked.Read(ref _writeTicks));

    /// <summary>Time the lanes waited for the writers to take a batch, summed over the lanes.</summary>
    internal TimeSpan WaitTime => TimeSpan.FromTicks(Interlocked.Read(ref _waitTicks));

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

    /// <summary>
    /// Imports every stream file under <paramref name="paths"/> (files, folders, archives). Within a file, lines are
    /// read in order; files may be read side by side, and an archive is read by one lane from start to end.
    /// </summary>
    public async Task<ImportSummary> ImportAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        _clock.Start();
        var files = paths.SelectMany(StreamInputs.ExpandPath).ToList();
        var laneCount = Math.Min(_options.Lanes, Math.Max(files.Count, 1));
        var queued = laneCount;

        // BatchBytes bounds every batch in memory together: one being built per lane, the queue, one per writer.
        var share = Math.Max(1, _options.BatchBytes / (laneCount + queued + _options.Writers));
        var queue = Channel.CreateBounded<LaneBatch>(new BoundedChannelOptions(queued) { FullMode = BoundedChannelFullMode.Wait });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _lanes = [.. Enumerable.Range(0, laneCount).Select(_ => new ImportLane(_options, _filter, share, ReportError, (batch, ct) => SubmitAsync(queue.Writer, batch, ct), _logger))];

        var next = -1;
        // Each lane on a thread of its own: it reads with blocking reads (LineReader) and is busy most of the time.
        var parsers = _lanes.Select(lane => Task.Factory.StartNew(
            () => RunLaneAsync(lane, files, () => Interlocked.Increment(ref next), stop),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap()).ToArray();
        var parsing = Task.Run(
            async () =>
            {
                try
                {
                    await Task.WhenAll(parsers);
                }
                finally
                {
                    queue.Writer.TryComplete();
                }
            },
            CancellationToken.None);
        var writers = Enumerable.Range(0, _options.Writers).Select(_ => Task.Run(() => RunWriterAsync(queue.Reader, stop), CancellationToken.None)).ToArray();

        // Told apart below: a failure is rethrown, a cancellation asked for by the caller ends the run early.
        Task[] all = [parsing, .. writers];
        await Task.WhenAll(all).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        var failure = parsers.Concat(writers).Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions)
            .FirstOrDefault(e => e is not OperationCanceledException);
        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            // Batches already written are committed; those being built or queued are dropped (a rerun adds them).
            return Summary() with { Interrupted = true };
        }

        await Task.WhenAll(all);
        return Summary();
    }

    private static async Task RunLaneAsync(ImportLane lane, List<string> files, Func<int> nextFile, CancellationTokenSource stop)
    {
        try
        {
            int index;
            var last = "";
            while ((index = nextFile()) < files.Count)
            {
                stop.Token.ThrowIfCancellationRequested();
                last = files[index];
                await lane.ImportPathAsync(last, stop.Token);
            }

            await lane.FlushAsync(last, 0, stop.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await stop.CancelAsync();
            throw;
        }
    }

    private async ValueTask SubmitAsync(ChannelWriter<LaneBatch> queue, LaneBatch batch, CancellationToken cancellationToken)
    {
        if (queue.TryWrite(batch))
        {
            return;
        }

        var waited = Stopwatch.StartNew();
        await queue.WriteAsync(batch, cancellationToken);
        Interlocked.Add(ref _waitTicks, waited.Elapsed.Ticks);
    }

    private async Task RunWriterAsync(ChannelReader<LaneBatch> queue, CancellationTokenSource stop)
    {
        try
        {
            await foreach (var batch in queue.ReadAllAsync(stop.Token))
            {
                await WriteAsync(batch, stop.Token);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await stop.CancelAsync();
            throw;
        }
    }

    private async Task WriteAsync(LaneBatch batch, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        SnapshotWriteResult result;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                result = await _writer.WriteAsync(batch.Batch, cancellationToken);
                break;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < DeadlockRetries)
            {
                Log.BatchRetried(_logger, batch.File, batch.Line);
            }
        }

        Interlocked.Add(ref _writeTicks, clock.Elapsed.Ticks);
        Interlocked.Add(ref _inserted, result.SnapshotsInserted);
        Interlocked.Add(ref _duplicates, result.DuplicateSnapshots);
        Interlocked.Add(ref _derived, result.DerivedRowsInserted);
        if (result.SnapshotsInserted > 0)
        {
            await _writer.MarkHistoryChangedAsync(cancellationToken);
        }

        Log.BatchWritten(_logger, batch.Batch.Snapshots.Count, result.SnapshotsInserted, result.DuplicateSnapshots);
        if (batch.Line > 0)
        {
            ReportProgress(batch.File, batch.Line);
        }
    }

    private void ReportError(string name, long? lineNumber, string what)
    {
        lock (_report)
        {
            _errorCount++;
            _errors.WriteLine(lineNumber is { } n ? string.Create(CultureInfo.InvariantCulture, $"{name}:{n}: {what}") : $"{name}: {what}");
        }
    }

    private void ReportProgress(string name, long lineNumber)
    {
        if (_progress is null)
        {
            return;
        }

        lock (_report)
        {
            // Lane counters are read while the lanes run: a progress line is an estimate, the summary is exact.
            var lines = _lanes.Sum(l => l.Lines);
            var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 1e-3);
            _progress.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"import: {lines} lines ({lines / seconds:0} lines/s), {Interlocked.Read(ref _inserted)} snapshots inserted, {Interlocked.Read(ref _duplicates)} duplicates, {_errorCount} errors; at {name}:{lineNumber}"));
        }
    }

    private ImportSummary Summary()
    {
        var imported = _lanes.SelectMany(l => l.Imported).ToHashSet(StringComparer.Ordinal);
        var skipped = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var lane in _lanes)
        {
            foreach (var (market, reason) in lane.Skipped)
            {
                skipped[market] = reason;
            }
        }

        var noDerivedRow = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (reason, count) in _lanes.SelectMany(l => l.Capture.NoDerivedRow))
        {
            noDerivedRow[reason] = noDerivedRow.GetValueOrDefault(reason) + count;
        }

        return new ImportSummary
        {
            Files = _lanes.Sum(l => l.Files),
            Lines = _lanes.Sum(l => l.Lines),
            Messages = _lanes.Sum(l => l.Messages),
            Updates = _lanes.Sum(l => l.Updates),
            MarketsImported = imported.Count,
            MarketsSkipped = skipped.Where(p => !imported.Contains(p.Key))
                .GroupBy(p => p.Value, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            SnapshotsInserted = _inserted,
            Duplicates = _duplicates,
            DerivedRows = _derived,
            NoDerivedRow = noDerivedRow,
            Errors = _errorCount,
        };
    }

    private static partial class Log
    {
        [LoggerMessage(5302, LogLevel.Debug, "Wrote a batch of {Snapshots} snapshots: {Inserted} inserted, {Duplicates} duplicates")]
        public static partial void BatchWritten(ILogger logger, int snapshots, int inserted, int duplicates);

        [LoggerMessage(5303, LogLevel.Information, "A batch from {File}:{Line} met another writer's batch on the same rows (deadlock); writing it again")]
        public static partial void BatchRetried(ILogger logger, string file, long line);
    }
}

using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using NetBet.Core.Books;
using NetBet.Core.Stream;
using NetBet.Data.Snapshots;
using NetBet.Ingest.Capture;
using NetBet.Ingest.Import;

namespace NetBet.Ingest.Streaming;

/// <summary>A snapshot taken from the live cache, waiting to be stored, with what its market's metadata needs.</summary>
/// <param name="Record">The snapshot with its derived row.</param>
/// <param name="Roles">The runner roles the derived row used.</param>
/// <param name="Definition">The market definition at the time (for metadata the catalogue lacks).</param>
internal sealed record CapturedSnapshot(SnapshotRecord Record, RunnerRoles Roles, MarketDefinition Definition);

/// <summary>
/// Turns the live stream into snapshots: on the <see cref="GridSampler"/> grid (the stream's <c>pt</c>, never the
/// local clock) each tracked football MATCH_ODDS market whose roles map gets its book rendered from the cache as a
/// listMarketBook MarketBook and captured (<see cref="SnapshotCapture"/>, source <c>exchange_stream</c>), plus one at every status or in-play change.
/// Captured snapshots go to <see cref="Snapshots"/> for the store; with a <see cref="StreamRecording"/> every message
/// is also written raw. Runs on the stream client's reading thread.
/// </summary>
public sealed class StreamRecorder : IStreamListener, IDisposable
{
    /// <summary><c>capture_version</c> of recorded snapshots: the stream rebuild and rendering of <c>stream_v1</c>.</summary>
    public const string CaptureVersion = "stream_v1";

    private readonly SnapshotCapture _capture = new(SnapshotSources.ExchangeStream, CaptureVersion);
    private readonly StreamCache _cache;
    private readonly GridSampler _grid;
    private readonly StreamRecording? _recording;
    private readonly MarketFilter _filter = new(allMarkets: false);
    private readonly List<DueSnapshot> _due = [];
    private readonly List<MarketState> _removed = [];
    private readonly ArrayBufferWriter<byte> _json = new(16 * 1024);
    private readonly Utf8JsonWriter _jsonWriter;
    private readonly Channel<CapturedSnapshot> _snapshots = Channel.CreateUnbounded<CapturedSnapshot>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Dictionary<string, int> _skipped = new(StringComparer.Ordinal);
    private readonly HashSet<string> _markets = new(StringComparer.Ordinal);
    private bool _timeAdvanced;
    private long _captured;

    /// <summary>Creates a recorder over <paramref name="cache"/> (the stream client's).</summary>
    /// <param name="cache">The cache the client applies messages to.</param>
    /// <param name="every">Grid interval.</param>
    /// <param name="recording">Where raw messages go, or null.</param>
    public StreamRecorder(StreamCache cache, TimeSpan every, StreamRecording? recording)
    {
        _cache = cache;
        _grid = new GridSampler(every);
        _recording = recording;
        _jsonWriter = new Utf8JsonWriter(_json);
    }

    /// <summary>Snapshots captured so far.</summary>
    public long Captured => Interlocked.Read(ref _captured);

    /// <summary>Markets that got at least one snapshot.</summary>
    public int Markets
    {
        get
        {
            lock (_markets)
            {
                return _markets.Count;
            }
        }
    }

    internal ChannelReader<CapturedSnapshot> Snapshots => _snapshots.Reader;

    /// <summary>No more snapshots will come (the run is over): the store drains what is queued and stops.</summary>
    public void Complete()
    {
        _snapshots.Writer.TryComplete();
        _recording?.Flush();
    }

    /// <inheritdoc />
    public void BeforeApply(StreamApplyResult message)
    {
        var pt = message.PublishTime!.Value;
        _timeAdvanced = _grid.NextGridPoint is { } next && pt > next;
        _grid.BeforeApply(pt, message.ChangeType, _due);
        CaptureDue();
    }

    /// <inheritdoc />
    public void Applied(ReadOnlySpan<byte> line, StreamApplyResult result)
    {
        _recording?.Write(line, result, _cache, _timeAdvanced);
        if (result.Kind == StreamMessageKind.SegmentPending)
        {
            return;
        }

        _timeAdvanced = false;
        _grid.AfterApply(_cache, result, _due);
        CaptureDue();

        // A recorder runs for weeks: closed markets leave the cache (capped at StreamCache.DefaultMaxMarkets) once
        // their closing snapshot is taken.
        _grid.RemoveClosed(_cache, _removed);
        _removed.Clear();
    }

    /// <inheritdoc />
    public void Disconnected() => _recording?.Flush();

    /// <inheritdoc />
    public void Dispose()
    {
        _jsonWriter.Dispose();
        _recording?.Dispose();
    }

    private void CaptureDue()
    {
        foreach (var due in _due)
        {
            if (_cache.Find(due.MarketId) is not { HasBook: true, Definition: { } definition } market)
            {
                continue;
            }

            var decision = _filter.Decide(definition);
            if (decision.Roles is not { } roles)
            {
                _skipped[due.MarketId] = 1;
                continue;
            }

            _json.ResetWrittenCount();
            _jsonWriter.Reset(_json);
            market.WriteMarketBook(_jsonWriter);
            if (_capture.Capture(market.MarketId, _json.WrittenSpan, roles, DateTimeOffset.FromUnixTimeMilliseconds(due.At)).Snapshot is not { } record)
            {
                continue; // the cache renders only readable books; the capture step counts any other all the same
            }

            _snapshots.Writer.TryWrite(new CapturedSnapshot(record, roles, definition));
            Interlocked.Increment(ref _captured);
            lock (_markets)
            {
                _markets.Add(market.MarketId);
            }
        }

        _due.Clear();
    }
}

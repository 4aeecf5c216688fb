using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using NetBet.Core.Stream;

namespace NetBet.Ingest.Streaming;

/// <summary>
/// Raw recording of a live stream in Betfair's historical-file layout, one gzip file per market per day
/// (<c>DIR/yyyy-MM-dd/MARKET_ID.gz</c>, the day of the market's first message in this run; appended to, as another
/// gzip member, when a later run records the same market that day). Each line is a received <c>mcm</c> with
/// <c>op</c>, <c>clk</c>, <c>pt</c>, <c>ct</c> and an <c>mc</c> holding only that market (segments merged per
/// market). A market's file gets its own changes; every open market's file also gets each heartbeat, image and
/// resubscription message, and the first message past each grid point of the live run, without <c>mc</c>
/// when the message did not touch the market, so time advances in every file as it did live and
/// <c>netbet ingest import --carry-forward</c> replays the same snapshots. Files are flushed every two seconds and
/// closed when their market closes or leaves the subscription.
/// </summary>
public sealed class StreamRecording : IDisposable
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(2);

    private readonly string _directory;
    private readonly Dictionary<string, GZipStream> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<byte[]>> _parts = new(StringComparer.Ordinal);
    private readonly ArrayBufferWriter<byte> _line = new(16 * 1024);
    private readonly Stopwatch _sinceFlush = Stopwatch.StartNew();
    private long _lines;

    /// <summary>Records under <paramref name="directory"/> (created when missing).</summary>
    public StreamRecording(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
    }

    /// <summary>Lines written so far (all files).</summary>
    public long Lines => _lines;

    /// <summary>Files open now.</summary>
    public int OpenFiles => _files.Count;

    /// <summary>Writes one received <c>mcm</c> line (called after it was applied to <paramref name="cache"/>).</summary>
    /// <param name="line">The line as received.</param>
    /// <param name="result">What applying it did.</param>
    /// <param name="cache">The cache after it.</param>
    /// <param name="timeAdvanced">The message was the first past a grid point of the live run.</param>
    public void Write(ReadOnlySpan<byte> line, StreamApplyResult result, StreamCache cache, bool timeAdvanced)
    {
        ArgumentNullException.ThrowIfNull(cache);
        var header = ReadHeader(line, _parts);
        if (result.Kind == StreamMessageKind.SegmentPending)
        {
            return;
        }

        var everyone = result.ChangeType != StreamChangeType.Delta || timeAdvanced;
        var targets = new List<string>(_parts.Keys);
        if (everyone)
        {
            targets.AddRange(_files.Keys.Where(id => !_parts.ContainsKey(id)));
        }

        var day = DateTimeOffset.FromUnixTimeMilliseconds(header.PublishTime ?? 0).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        foreach (var marketId in targets)
        {
            var parts = _parts.GetValueOrDefault(marketId);
            if (!_files.TryGetValue(marketId, out var file))
            {
                var folder = Path.Combine(_directory, day);
                Directory.CreateDirectory(folder);
                file = new GZipStream(new FileStream(Path.Combine(folder, marketId + ".gz"), FileMode.Append, FileAccess.Write, FileShare.Read), CompressionLevel.Fastest);
                _files.Add(marketId, file);
            }

            WriteLine(file, header, result.ChangeType, parts);
        }

        _parts.Clear();
        foreach (var marketId in targets)
        {
            if (cache.Find(marketId) is not { } market || market.Status == "CLOSED")
            {
                _files.Remove(marketId, out var closed);
                closed?.Dispose();
            }
        }

        if (_sinceFlush.Elapsed >= FlushInterval)
        {
            Flush();
        }
    }

    /// <summary>Pushes buffered lines to the files (readable up to here by a gzip reader).</summary>
    public void Flush()
    {
        foreach (var file in _files.Values)
        {
            file.Flush();
        }

        _sinceFlush.Restart();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var file in _files.Values)
        {
            file.Dispose();
        }

        _files.Clear();
    }

    private void WriteLine(GZipStream file, Header header, StreamChangeType changeType, List<byte[]>? parts)
    {
        _line.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(_line, new JsonWriterOptions { SkipValidation = true }))
        {
            json.WriteStartObject();
            json.WriteString("op"u8, "mcm");
            if (header.Clk is { } clk)
            {
                json.WriteString("clk"u8, clk);
            }

            json.WriteNumber("pt"u8, header.PublishTime ?? 0);
            var ct = changeType switch
            {
                StreamChangeType.SubImage => "SUB_IMAGE",
                StreamChangeType.ResubDelta => "RESUB_DELTA",
                StreamChangeType.Heartbeat => "HEARTBEAT",
                _ => null,
            };
            if (ct is not null)
            {
                json.WriteString("ct"u8, ct);
            }

            if (parts is not null)
            {
                json.WriteStartArray("mc"u8);
                foreach (var part in parts)
                {
                    json.WriteRawValue(part, skipInputValidation: true);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        _line.Write("\n"u8);
        file.Write(_line.WrittenSpan);
        _lines++;
    }

    // The envelope fields kept, and each mc element's bytes added to its market's parts.
    private static Header ReadHeader(ReadOnlySpan<byte> line, Dictionary<string, List<byte[]>> parts)
    {
        var reader = new Utf8JsonReader(line);
        string? clk = null;
        long? pt = null;
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("clk"u8))
            {
                reader.Read();
                clk = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("pt"u8))
            {
                reader.Read();
                pt = reader.TokenType == JsonTokenType.Number ? reader.GetInt64() : null;
            }
            else if (reader.ValueTextEquals("mc"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    var start = (int)reader.TokenStartIndex;
                    var id = MarketId(line[start..]);
                    reader.Skip();
                    var element = line[start..(int)reader.BytesConsumed].ToArray();
                    if (id is not null)
                    {
                        if (!parts.TryGetValue(id, out var list))
                        {
                            parts[id] = list = [];
                        }

                        list.Add(element);
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new Header(clk, pt);
    }

    private static string? MarketId(ReadOnlySpan<byte> element)
    {
        var reader = new Utf8JsonReader(element);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isId = reader.ValueTextEquals("id"u8);
            reader.Read();
            if (isId)
            {
                return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }

            reader.Skip();
        }

        return null;
    }

    private readonly record struct Header(string? Clk, long? PublishTime);
}

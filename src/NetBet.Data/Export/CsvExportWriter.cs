using System.Buffers;
using System.Globalization;
using System.Text;
using System.Threading.Channels;

namespace NetBet.Data.Export;

/// <summary>
/// RFC 4180 CSV: header line of column names, fields separated by commas, lines ended by CRLF, a field quoted (with
/// inner quotes doubled) when it holds a comma, quote, CR or LF. Null is an empty field; numbers in invariant culture,
/// shortest round-trip form; timestamps ISO 8601 UTC (<c>2026-02-14T18:00:00.25Z</c>); booleans <c>true</c>/<c>false</c>.
/// </summary>
/// <remarks>
/// Formatting numbers is most of an export's work, so it runs beside the database reader, on two tasks:
/// <see cref="WriteAsync"/> only copies a row's values into a batch, each formatter turns whole batches into text,
/// and one writer task hands the texts to the stream in the batches' order. A fixed set of batches circulates
/// between them, so memory stays bounded whatever the row count.
/// </remarks>
internal sealed class CsvExportWriter<TRow> : IExportWriter<TRow>
{
    private const int BatchRows = 1024;
    private const int Formatters = 2;
    private const int Batches = Formatters + 4;

    private readonly Stream _stream;
    private readonly ExportColumn<TRow>[] _columns;
    private readonly Channel<Batch> _full = Channel.CreateUnbounded<Batch>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = true });
    private readonly Channel<Batch> _formatted = Channel.CreateUnbounded<Batch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
    private readonly Channel<Batch> _empty = Channel.CreateUnbounded<Batch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _formatters;
    private readonly Task _writer;
    private Batch _batch;
    private long _sent;
    private bool _completed;

    private CsvExportWriter(Stream stream, IReadOnlyList<ExportColumn<TRow>> columns)
    {
        _stream = stream;
        _columns = [.. columns];
        for (var i = 1; i < Batches; i++)
        {
            _empty.Writer.TryWrite(new Batch(_columns));
        }

        // The header goes out first as batch 0's text, ahead of any row.
        _batch = new Batch(_columns);
        WriteHeader(_batch.Text);
        _batch.Sequence = _sent++;
        _formatted.Writer.TryWrite(_batch);
        _batch = _empty.Reader.TryRead(out var first) ? first : throw new InvalidOperationException("no free batch");
        _formatters = Task.WhenAll(Enumerable.Range(0, Formatters).Select(_ => Task.Run(FormatBatchesAsync)));
        _writer = Task.Run(WriteBatchesAsync);
    }

    public static Task<CsvExportWriter<TRow>> CreateAsync(Stream stream, IReadOnlyList<ExportColumn<TRow>> columns, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new CsvExportWriter<TRow>(stream, columns));
    }

    public ValueTask WriteAsync(TRow row, CancellationToken cancellationToken)
    {
        _batch.Rows.Add(row);
        return _batch.Rows.IsFull ? new ValueTask(SendBatchAsync(cancellationToken)) : ValueTask.CompletedTask;
    }

    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        if (_batch.Rows.Count > 0)
        {
            await SendBatchAsync(cancellationToken);
        }

        _completed = true;
        _full.Writer.TryComplete();
        await _formatters.WaitAsync(cancellationToken);
        _formatted.Writer.TryComplete();
        await _writer.WaitAsync(cancellationToken);
        await _stream.FlushAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            // Abandoned (an error or Ctrl-C upstream): stop the tasks before the caller closes the stream.
            _full.Writer.TryComplete();
            _formatted.Writer.TryComplete();
            await _stop.CancelAsync();
            foreach (var task in new[] { _formatters, _writer })
            {
                try
                {
                    await task;
                }
                catch (Exception e) when (e is OperationCanceledException or IOException or ChannelClosedException)
                {
                    // The export failed already; this is its echo.
                }
            }
        }

        _stop.Dispose();
    }

    private async Task SendBatchAsync(CancellationToken cancellationToken)
    {
        _batch.Sequence = _sent++;
        try
        {
            await _full.Writer.WriteAsync(_batch, cancellationToken);
            _batch = await _empty.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            // A formatter or the writer failed: throw its exception.
            await Task.WhenAll(_formatters, _writer);
            throw;
        }

        _batch.Rows.Count = 0;
    }

    private async Task FormatBatchesAsync()
    {
        try
        {
            await foreach (var batch in _full.Reader.ReadAllAsync(_stop.Token))
            {
                batch.Text.ResetWrittenCount();
                for (var row = 0; row < batch.Rows.Count; row++)
                {
                    FormatRow(batch.Text, batch.Rows, row);
                }

                _formatted.Writer.TryWrite(batch);
            }
        }
        catch (Exception e)
        {
            Fail(e);
            throw;
        }
    }

    // Texts can come back from the formatters out of order; each waits here until the ones before it are written.
    private async Task WriteBatchesAsync()
    {
        try
        {
            var waiting = new Dictionary<long, Batch>();
            var next = 0L;
            await foreach (var batch in _formatted.Reader.ReadAllAsync(_stop.Token))
            {
                waiting.Add(batch.Sequence, batch);
                while (waiting.Remove(next, out var inOrder))
                {
                    await _stream.WriteAsync(inOrder.Text.WrittenMemory, _stop.Token);
                    next++;
                    _empty.Writer.TryWrite(inOrder);
                }
            }
        }
        catch (Exception e)
        {
            Fail(e);
            throw;
        }
    }

    // Wakes the reader side wherever it waits, to meet this exception.
    private void Fail(Exception e)
    {
        _full.Writer.TryComplete(e);
        _empty.Writer.TryComplete(e);
        _formatted.Writer.TryComplete(e);
    }

    /// <summary>One batch of rows and, once formatted, their text.</summary>
    private sealed class Batch(ExportColumn<TRow>[] columns)
    {
        public ColumnBuffers<TRow> Rows { get; } = new(columns, BatchRows);

        public ArrayBufferWriter<byte> Text { get; } = new(BatchRows * 256);

        public long Sequence { get; set; }
    }

    private void WriteHeader(ArrayBufferWriter<byte> buffer)
    {
        for (var i = 0; i < _columns.Length; i++)
        {
            if (i > 0)
            {
                buffer.Write(","u8);
            }

            WriteText(buffer, _columns[i].Name);
        }

        buffer.Write("\r\n"u8);
    }

    private void FormatRow(ArrayBufferWriter<byte> buffer, ColumnBuffers<TRow> batch, int row)
    {
        // One span per value, comma included (text can be longer: it is written on its own).
        for (var i = 0; i < _columns.Length; i++)
        {
            var span = buffer.GetSpan(CsvValues.MaxBytes + 1);
            var length = 0;
            if (i > 0)
            {
                span[length++] = (byte)',';
            }

            switch (_columns[i].Type)
            {
                case ExportType.Real:
                    if (((double?[])batch.Values[i])[row] is { } real)
                    {
                        length += CsvValues.WriteReal(real, span[length..]);
                    }

                    break;
                case ExportType.Text:
                    buffer.Advance(length);
                    length = 0;
                    if (((string?[])batch.Values[i])[row] is { } text)
                    {
                        WriteText(buffer, text);
                    }

                    break;
                case ExportType.Whole:
                    if (((long?[])batch.Values[i])[row] is { } whole)
                    {
                        whole.TryFormat(span[length..], out var written, default, CultureInfo.InvariantCulture);
                        length += written;
                    }

                    break;
                case ExportType.Boolean:
                    if (((bool?[])batch.Values[i])[row] is { } flag)
                    {
                        (flag ? "true"u8 : "false"u8).CopyTo(span[length..]);
                        length += flag ? 4 : 5;
                    }

                    break;
                case ExportType.Timestamp:
                    if (((DateTime?[])batch.Values[i])[row] is { } at)
                    {
                        length += CsvValues.WriteTimestamp(at, span[length..]);
                    }

                    break;
            }

            buffer.Advance(length);
        }

        buffer.Write("\r\n"u8);
    }

    private static void WriteText(ArrayBufferWriter<byte> buffer, string text)
    {
        if (text.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            WriteUtf8(buffer, text);
            return;
        }

        buffer.Write("\""u8);
        WriteUtf8(buffer, text.Replace("\"", "\"\"", StringComparison.Ordinal));
        buffer.Write("\""u8);
    }

    private static void WriteUtf8(ArrayBufferWriter<byte> buffer, string text)
    {
        var span = buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        buffer.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}

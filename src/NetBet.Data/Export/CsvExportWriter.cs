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
/// Formatting numbers is most of an export's work, so it runs beside the database reader: <see cref="WriteAsync"/> only
/// copies a row's values into a batch, and a second task formats full batches and writes them to the stream. A few
/// batches circulate between the two, so memory stays bounded.
/// </remarks>
internal sealed class CsvExportWriter<TRow> : IExportWriter<TRow>
{
    private const int BatchRows = 1024;
    private const int Batches = 4;

    private readonly ChunkedOutput _output;
    private readonly ExportColumn<TRow>[] _columns;
    private readonly Channel<ColumnBuffers<TRow>> _full = Channel.CreateBounded<ColumnBuffers<TRow>>(new BoundedChannelOptions(Batches) { SingleReader = true, SingleWriter = true });
    private readonly Channel<ColumnBuffers<TRow>> _empty = Channel.CreateUnbounded<ColumnBuffers<TRow>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _formatter;
    private ColumnBuffers<TRow> _batch;
    private bool _completed;

    private CsvExportWriter(Stream stream, IReadOnlyList<ExportColumn<TRow>> columns)
    {
        _output = new ChunkedOutput(stream);
        _columns = [.. columns];
        for (var i = 1; i < Batches; i++)
        {
            _empty.Writer.TryWrite(new ColumnBuffers<TRow>(_columns, BatchRows));
        }

        _batch = new ColumnBuffers<TRow>(_columns, BatchRows);
        WriteHeader();
        _formatter = Task.Run(FormatBatchesAsync);
    }

    public static Task<CsvExportWriter<TRow>> CreateAsync(Stream stream, IReadOnlyList<ExportColumn<TRow>> columns, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new CsvExportWriter<TRow>(stream, columns));
    }

    public ValueTask WriteAsync(TRow row, CancellationToken cancellationToken)
    {
        _batch.Add(row);
        return _batch.IsFull ? new ValueTask(SendBatchAsync(cancellationToken)) : ValueTask.CompletedTask;
    }

    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        if (_batch.Count > 0)
        {
            await SendBatchAsync(cancellationToken);
        }

        _completed = true;
        _full.Writer.TryComplete();
        await _formatter.WaitAsync(cancellationToken);
        await _output.CompleteAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            // Abandoned (an error or Ctrl-C upstream): stop the formatter before the caller closes the stream.
            _full.Writer.TryComplete();
            await _stop.CancelAsync();
            try
            {
                await _formatter;
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                // The export failed already; this is its echo.
            }
        }

        _stop.Dispose();
    }

    private async Task SendBatchAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _full.Writer.WriteAsync(_batch, cancellationToken);
            _batch = await _empty.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            await _formatter; // the formatter failed: throw its exception
            throw;
        }

        _batch.Count = 0;
    }

    private async Task FormatBatchesAsync()
    {
        try
        {
            await foreach (var batch in _full.Reader.ReadAllAsync(_stop.Token))
            {
                for (var row = 0; row < batch.Count; row++)
                {
                    FormatRow(batch, row);
                    await _output.FlushIfFullAsync(_stop.Token);
                }

                _empty.Writer.TryWrite(batch);
            }
        }
        catch (Exception e)
        {
            // Wake the reader side wherever it waits, to meet this exception.
            _full.Writer.TryComplete(e);
            _empty.Writer.TryComplete(e);
            throw;
        }
    }

    private void WriteHeader()
    {
        for (var i = 0; i < _columns.Length; i++)
        {
            if (i > 0)
            {
                Write(","u8);
            }

            WriteText(_columns[i].Name);
        }

        Write("\r\n"u8);
    }

    private void FormatRow(ColumnBuffers<TRow> batch, int row)
    {
        // One span for the whole line when its values fit (text can be longer: it is written on its own).
        var buffer = _output.Buffer;
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
                        WriteText(text);
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

        Write("\r\n"u8);
    }

    private void Write(ReadOnlySpan<byte> bytes) => _output.Buffer.Write(bytes);

    private void WriteText(string text)
    {
        if (text.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            WriteUtf8(text);
            return;
        }

        Write("\""u8);
        WriteUtf8(text.Replace("\"", "\"\"", StringComparison.Ordinal));
        Write("\""u8);
    }

    private void WriteUtf8(string text)
    {
        var span = _output.Buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        _output.Buffer.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}

using System.Buffers;
using System.Globalization;
using System.Text;

namespace NetBet.Data.Export;

/// <summary>
/// RFC 4180 CSV: header line of column names, fields separated by commas, lines ended by CRLF, a field quoted (with
/// inner quotes doubled) when it holds a comma, quote, CR or LF. Null is an empty field; numbers in invariant culture,
/// shortest round-trip form; timestamps ISO 8601 UTC (<c>2026-02-14T18:00:00.25Z</c>); booleans <c>true</c>/<c>false</c>.
/// </summary>
internal sealed class CsvExportWriter<TRow> : IExportWriter<TRow>
{
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'";
    private readonly ChunkedOutput _output;
    private readonly ExportColumn<TRow>[] _columns;

    private CsvExportWriter(Stream stream, IReadOnlyList<ExportColumn<TRow>> columns)
    {
        _output = new ChunkedOutput(stream);
        _columns = [.. columns];
    }

    public static async Task<CsvExportWriter<TRow>> CreateAsync(Stream stream, IReadOnlyList<ExportColumn<TRow>> columns, CancellationToken cancellationToken)
    {
        var writer = new CsvExportWriter<TRow>(stream, columns);
        for (var i = 0; i < writer._columns.Length; i++)
        {
            if (i > 0)
            {
                writer.Write(","u8);
            }

            writer.WriteText(writer._columns[i].Name);
        }

        writer.Write("\r\n"u8);
        await writer._output.FlushIfFullAsync(cancellationToken);
        return writer;
    }

    public ValueTask WriteAsync(TRow row, CancellationToken cancellationToken)
    {
        for (var i = 0; i < _columns.Length; i++)
        {
            if (i > 0)
            {
                Write(","u8);
            }

            var column = _columns[i];
            switch (column.Type)
            {
                case ExportType.Text:
                    if (column.GetText(row) is { } text)
                    {
                        WriteText(text);
                    }

                    break;
                case ExportType.Real:
                    if (column.GetReal(row) is { } real)
                    {
                        WriteFormatted(real, default);
                    }

                    break;
                case ExportType.Whole:
                    if (column.GetWhole(row) is { } whole)
                    {
                        WriteFormatted(whole, default);
                    }

                    break;
                case ExportType.Boolean:
                    if (column.GetBoolean(row) is { } flag)
                    {
                        Write(flag ? "true"u8 : "false"u8);
                    }

                    break;
                case ExportType.Timestamp:
                    if (column.GetTimestamp(row) is { } at)
                    {
                        WriteFormatted(at.UtcDateTime, TimestampFormat);
                    }

                    break;
            }
        }

        Write("\r\n"u8);
        return _output.FlushIfFullAsync(cancellationToken);
    }

    public ValueTask CompleteAsync(CancellationToken cancellationToken) => _output.CompleteAsync(cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void Write(ReadOnlySpan<byte> bytes) => _output.Buffer.Write(bytes);

    private void WriteFormatted<T>(T value, ReadOnlySpan<char> format)
        where T : IUtf8SpanFormattable
    {
        var span = _output.Buffer.GetSpan(64);
        if (!value.TryFormat(span, out var written, format, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"cannot format {value} in 64 bytes");
        }

        _output.Buffer.Advance(written);
    }

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

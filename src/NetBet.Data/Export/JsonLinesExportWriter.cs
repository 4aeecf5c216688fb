using System.Buffers;
using System.Text.Json;

namespace NetBet.Data.Export;

/// <summary>
/// JSON Lines: one object per row with every column as a key, in column order, LF after each. Null is JSON null
/// (as is a non-finite number, which JSON cannot hold); timestamps are ISO 8601 UTC strings.
/// </summary>
internal sealed class JsonLinesExportWriter<TRow> : IExportWriter<TRow>
{
    private readonly ChunkedOutput _output;
    private readonly ExportColumn<TRow>[] _columns;
    private readonly JsonEncodedText[] _names;
    private readonly Utf8JsonWriter _json;

    public JsonLinesExportWriter(Stream stream, IReadOnlyList<ExportColumn<TRow>> columns)
    {
        _output = new ChunkedOutput(stream);
        _columns = [.. columns];
        _names = [.. columns.Select(c => JsonEncodedText.Encode(c.Name))];
        _json = new Utf8JsonWriter(_output.Buffer, new JsonWriterOptions { SkipValidation = true });
    }

    public ValueTask WriteAsync(TRow row, CancellationToken cancellationToken)
    {
        _json.WriteStartObject();
        for (var i = 0; i < _columns.Length; i++)
        {
            var column = _columns[i];
            var name = _names[i];
            switch (column.Type)
            {
                case ExportType.Text when column.GetText(row) is { } text:
                    _json.WriteString(name, text);
                    break;
                case ExportType.Real when column.GetReal(row) is { } real && double.IsFinite(real):
                    _json.WriteNumber(name, real);
                    break;
                case ExportType.Whole when column.GetWhole(row) is { } whole:
                    _json.WriteNumber(name, whole);
                    break;
                case ExportType.Boolean when column.GetBoolean(row) is { } flag:
                    _json.WriteBoolean(name, flag);
                    break;
                case ExportType.Timestamp when column.GetTimestamp(row) is { } at:
                    _json.WriteString(name, at.UtcDateTime);
                    break;
                default:
                    _json.WriteNull(name);
                    break;
            }
        }

        _json.WriteEndObject();
        _json.Flush();
        _json.Reset();
        _output.Buffer.Write("\n"u8);
        return _output.FlushIfFullAsync(cancellationToken);
    }

    public ValueTask CompleteAsync(CancellationToken cancellationToken) => _output.CompleteAsync(cancellationToken);

    public ValueTask DisposeAsync() => _json.DisposeAsync();
}

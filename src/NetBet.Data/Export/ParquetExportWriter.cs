using Parquet;
using Parquet.Schema;

namespace NetBet.Data.Export;

/// <summary>
/// Parquet through Parquet.Net: one typed, nullable column per <see cref="ExportColumn{TRow}"/> (string, timestamp
/// in microseconds adjusted to UTC, double, int64, boolean). Rows are gathered into fixed column buffers and written
/// one row group at a time, so memory depends on the row-group size, not on the export's.
/// </summary>
internal sealed class ParquetExportWriter<TRow> : IExportWriter<TRow>
{
    // Parquet.Net encodes each column chunk in pooled streams and keeps the freed buffers, by default up to 80 MB
    // (16 MB of blocks, 64 MB of large buffers): a long export filled that pool row group after row group, so its peak
    // memory grew with the row count until the cap. A pool of a few column chunks' size keeps the reuse and stays flat.
    private static readonly ParquetOptions Options = new()
    {
        MaximumSmallPoolFreeBytes = 4 << 20,
        MaximumLargePoolFreeBytes = 8 << 20,
    };

    private readonly ExportColumn<TRow>[] _columns;
    private readonly DataField[] _fields;
    private readonly ColumnBuffers<TRow> _buffers;
    private readonly ParquetWriter _writer;
    private readonly Stream _stream;

    private ParquetExportWriter(ExportColumn<TRow>[] columns, DataField[] fields, int rowGroupRows, ParquetWriter writer, Stream stream)
    {
        _columns = columns;
        _fields = fields;
        _writer = writer;
        _stream = stream;
        _buffers = new ColumnBuffers<TRow>(columns, rowGroupRows);
    }

    public static async Task<ParquetExportWriter<TRow>> CreateAsync(
        Stream stream, IReadOnlyList<ExportColumn<TRow>> columns, int rowGroupRows, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rowGroupRows, 1);
        var fields = columns.Select(Field).ToArray();
        var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream, Options, cancellationToken: cancellationToken);
        return new ParquetExportWriter<TRow>([.. columns], fields, rowGroupRows, writer, stream);
    }

    public ValueTask WriteAsync(TRow row, CancellationToken cancellationToken)
    {
        _buffers.Add(row);
        return _buffers.IsFull ? new ValueTask(WriteRowGroupAsync(cancellationToken)) : ValueTask.CompletedTask;
    }

    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        if (_buffers.Count > 0)
        {
            await WriteRowGroupAsync(cancellationToken);
        }

        // Disposing the writer writes the footer; the stream stays open.
        await _writer.DisposeAsync();
        await _stream.FlushAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    private async Task WriteRowGroupAsync(CancellationToken cancellationToken)
    {
        using (var group = _writer.CreateRowGroup())
        {
            for (var i = 0; i < _columns.Length; i++)
            {
                var field = _fields[i];
                switch (_columns[i].Type)
                {
                    case ExportType.Text:
                        await group.WriteAsync(field, new ArraySegment<string>((string[])_buffers.Values[i], 0, _buffers.Count));
                        break;
                    case ExportType.Real:
                        await group.WriteAsync(field, new ReadOnlyMemory<double?>((double?[])_buffers.Values[i], 0, _buffers.Count), cancellationToken: cancellationToken);
                        break;
                    case ExportType.Whole:
                        await group.WriteAsync(field, new ReadOnlyMemory<long?>((long?[])_buffers.Values[i], 0, _buffers.Count), cancellationToken: cancellationToken);
                        break;
                    case ExportType.Boolean:
                        await group.WriteAsync(field, new ReadOnlyMemory<bool?>((bool?[])_buffers.Values[i], 0, _buffers.Count), cancellationToken: cancellationToken);
                        break;
                    case ExportType.Timestamp:
                        await group.WriteAsync(field, new ReadOnlyMemory<DateTime?>((DateTime?[])_buffers.Values[i], 0, _buffers.Count), cancellationToken: cancellationToken);
                        break;
                }
            }

            group.CompleteValidate();
        }

        _buffers.Count = 0;
    }

    private static DataField Field(ExportColumn<TRow> column) => column.Type switch
    {
        ExportType.Text => new DataField<string>(column.Name, nullable: true),
        ExportType.Real => new DataField<double?>(column.Name),
        ExportType.Whole => new DataField<long?>(column.Name),
        ExportType.Boolean => new DataField<bool?>(column.Name),
        ExportType.Timestamp => new DateTimeDataField(column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: true),
        _ => throw new ArgumentOutOfRangeException(nameof(column)),
    };
}

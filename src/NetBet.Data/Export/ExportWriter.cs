using System.Buffers;

namespace NetBet.Data.Export;

/// <summary>The file formats of an export.</summary>
public enum ExportFormat
{
    /// <summary>RFC 4180 CSV: a header line, comma-separated, CRLF line ends, UTF-8 without BOM, invariant culture.</summary>
    Csv,
    /// <summary>Apache Parquet with typed columns (<see cref="ExportType"/>), Snappy-compressed.</summary>
    Parquet,
    /// <summary>JSON Lines: one JSON object per row, keys in column order, LF line ends.</summary>
    JsonLines,
}

/// <summary>Writes export rows to a stream in one <see cref="ExportFormat"/>; <see cref="CompleteAsync"/> finishes the file.</summary>
/// <typeparam name="TRow">The row type.</typeparam>
public interface IExportWriter<in TRow> : IAsyncDisposable
{
    /// <summary>Writes one row (its values are copied or written before this returns).</summary>
    ValueTask WriteAsync(TRow row, CancellationToken cancellationToken);

    /// <summary>Writes what is buffered and the format's trailer (Parquet's footer), and flushes the stream.</summary>
    ValueTask CompleteAsync(CancellationToken cancellationToken);
}

/// <summary>Creates export writers and runs whole exports.</summary>
public static class ExportWriter
{
    /// <summary>
    /// Values a Parquet row group holds before it is written: row groups are as large as this bound allows
    /// (about 70,000 snapshot rows or 460,000 ladder rows), so readers get big column chunks while the writer's memory
    /// stays bounded whatever the export's size.
    /// </summary>
    public const int ParquetRowGroupValues = 1 << 22;

    /// <summary>A writer of <paramref name="format"/> over <paramref name="stream"/> (left open).</summary>
    /// <param name="format">The file format.</param>
    /// <param name="stream">The destination.</param>
    /// <param name="columns">The columns, in file order.</param>
    /// <param name="cancellationToken">Cancels the header write.</param>
    /// <param name="parquetRowGroupRows">Rows per Parquet row group; default from <see cref="ParquetRowGroupValues"/>.</param>
    public static async Task<IExportWriter<TRow>> CreateAsync<TRow>(
        ExportFormat format,
        Stream stream,
        IReadOnlyList<ExportColumn<TRow>> columns,
        CancellationToken cancellationToken,
        int? parquetRowGroupRows = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(columns);
        return format switch
        {
            ExportFormat.Csv => await CsvExportWriter<TRow>.CreateAsync(stream, columns, cancellationToken),
            ExportFormat.JsonLines => new JsonLinesExportWriter<TRow>(stream, columns),
            ExportFormat.Parquet => await ParquetExportWriter<TRow>.CreateAsync(
                stream, columns, parquetRowGroupRows ?? Math.Max(1024, ParquetRowGroupValues / columns.Count), cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
    }

    /// <summary>Writes every row of <paramref name="rows"/> and completes the file.</summary>
    public static async Task WriteAllAsync<TRow>(IExportWriter<TRow> writer, IAsyncEnumerable<TRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(rows);
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            await writer.WriteAsync(row, cancellationToken);
        }

        await writer.CompleteAsync(cancellationToken);
    }
}

/// <summary>
/// Rows encoded into memory and handed to the stream in large asynchronous writes: fast, and allowed on an ASP.NET
/// response body, which refuses synchronous writes.
/// </summary>
internal sealed class ChunkedOutput(Stream stream)
{
    private const int ChunkBytes = 64 * 1024;

    public ArrayBufferWriter<byte> Buffer { get; } = new(ChunkBytes * 2);

    public ValueTask FlushIfFullAsync(CancellationToken cancellationToken) =>
        Buffer.WrittenCount >= ChunkBytes ? FlushAsync(cancellationToken) : ValueTask.CompletedTask;

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (Buffer.WrittenCount > 0)
        {
            await stream.WriteAsync(Buffer.WrittenMemory, cancellationToken);
            Buffer.ResetWrittenCount();
        }
    }

    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }
}

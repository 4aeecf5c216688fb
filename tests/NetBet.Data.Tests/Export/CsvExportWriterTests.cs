using System.Buffers;
using System.Globalization;
using System.Text;
using NetBet.Data.Export;

namespace NetBet.Data.Tests.Export;

/// <summary>
/// The CSV writer (values copied into batches, formatted by two tasks with its own number and time writers, written in
/// the batches' order) writes byte for byte what the first, simple writer wrote, kept here as <see cref="ReferenceCsv"/>.
/// </summary>
public sealed class CsvExportWriterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Row(string? Text, long? Whole, DateTimeOffset? At, bool? Flag, double?[] Reals);

    private static readonly ExportColumn<Row>[] Columns =
    [
        ExportColumn.Text<Row>("text", r => r.Text),
        ExportColumn.Whole<Row>("whole", r => r.Whole),
        ExportColumn.Timestamp<Row>("at", r => r.At),
        ExportColumn.Boolean<Row>("flag", r => r.Flag),
        .. Enumerable.Range(0, 8).Select(i => ExportColumn.Real<Row>($"real_{i}", r => r.Reals[i])),
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1023)]
    [InlineData(1024)]
    [InlineData(1025)]
    [InlineData(20_000)]
    public async Task Write_RandomRows_ByteForByteTheReferenceWriter(int count)
    {
        var rows = RandomRows(count, seed: count);

        var actual = new MemoryStream();
        await using (var writer = await ExportWriter.CreateAsync(ExportFormat.Csv, actual, Columns, Ct))
        {
            await ExportWriter.WriteAllAsync(writer, rows.ToAsyncEnumerable(), Ct);
        }

        Assert.Equal(ReferenceCsv.Write(Columns, rows), actual.ToArray());
    }

    [Fact]
    public async Task Write_StreamFails_TheExportThrowsItsError()
    {
        var rows = RandomRows(50_000, seed: 3);
        await using var writer = await ExportWriter.CreateAsync(ExportFormat.Csv, new FailingStream(), Columns, Ct);

        await Assert.ThrowsAsync<IOException>(async () => await ExportWriter.WriteAllAsync(writer, rows.ToAsyncEnumerable(), Ct));
    }

    [Fact]
    public async Task Write_SourceFailsMidway_ItsErrorComesOutAndTheWriterStops()
    {
        var rows = RandomRows(5_000, seed: 4);
        var output = new MemoryStream();
        var writer = await ExportWriter.CreateAsync(ExportFormat.Csv, output, Columns, Ct);

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await ExportWriter.WriteAllAsync(writer, FailAfter(rows), Ct));
        var disposing = writer.DisposeAsync().AsTask();

        Assert.Equal("row 5000 unreadable", error.Message);
        Assert.Same(disposing, await Task.WhenAny(disposing, Task.Delay(TimeSpan.FromSeconds(10), Ct)));
        await disposing;
    }

    private static async IAsyncEnumerable<Row> FailAfter(List<Row> rows)
    {
        foreach (var row in rows)
        {
            yield return row;
        }

        await Task.Yield();
        throw new InvalidDataException($"row {rows.Count} unreadable");
    }

    private static List<Row> RandomRows(int count, int seed)
    {
        var random = new Random(seed);
        string?[] texts = [null, "", "1.216395251", "Home, \"Quoted\" v Away", "line\r\nbreak", "Atlético Madrid", "日本", "a\"b"];
        var rows = new List<Row>(count);
        for (var i = 0; i < count; i++)
        {
            var reals = new double?[8];
            for (var j = 0; j < reals.Length; j++)
            {
                reals[j] = random.Next(10) switch
                {
                    0 => null,
                    1 => Math.Round(random.NextDouble() * 1000, 2),
                    2 => random.NextDouble() - 0.5,
                    3 => BitConverter.Int64BitsToDouble(random.NextInt64()),
                    4 => random.Next(3) switch { 0 => double.NaN, 1 => -0.0, _ => double.NegativeInfinity },
                    5 => random.NextDouble() * 1e20,
                    _ => Math.Round(random.NextDouble() * 100, 2) - Math.Round(random.NextDouble() * 100, 2),
                };
            }

            rows.Add(new Row(
                texts[random.Next(texts.Length)],
                random.Next(5) == 0 ? null : random.NextInt64(long.MinValue, long.MaxValue),
                random.Next(5) == 0 ? null : new DateTimeOffset(random.NextInt64(0, 100_000_000_000L) * 10 + 621355968000000000L, TimeSpan.Zero),
                random.Next(3) switch { 0 => null, 1 => true, _ => false },
                reals));
        }

        return rows;
    }

    /// <summary>The first CSV writer's formatting, field by field with .NET's formatters (the specification).</summary>
    private static class ReferenceCsv
    {
        public static byte[] Write(IReadOnlyList<ExportColumn<Row>> columns, IEnumerable<Row> rows)
        {
            var output = new ArrayBufferWriter<byte>();
            output.Write(Encoding.UTF8.GetBytes(string.Join(",", columns.Select(c => Text(c.Name))) + "\r\n"));
            foreach (var row in rows)
            {
                var fields = columns.Select(c => c.Type switch
                {
                    ExportType.Text => c.GetText(row) is { } text ? Text(text) : "",
                    ExportType.Real => c.GetReal(row)?.ToString(CultureInfo.InvariantCulture) ?? "",
                    ExportType.Whole => c.GetWhole(row)?.ToString(CultureInfo.InvariantCulture) ?? "",
                    ExportType.Boolean => c.GetBoolean(row) switch { true => "true", false => "false", null => "" },
                    ExportType.Timestamp => c.GetTimestamp(row)?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture) ?? "",
                    _ => throw new ArgumentOutOfRangeException(nameof(columns)),
                });
                output.Write(Encoding.UTF8.GetBytes(string.Join(",", fields) + "\r\n"));
            }

            return output.WrittenSpan.ToArray();
        }

        private static string Text(string text) =>
            text.AsSpan().IndexOfAny(",\"\r\n") < 0 ? text : $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
    }

    private sealed class FailingStream : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("disk full");
    }
}

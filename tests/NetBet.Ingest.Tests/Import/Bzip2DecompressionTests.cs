using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Data.Snapshots;
using NetBet.Ingest.Import;
using Npgsql;
using SharpCompress.Compressors;
using SharpCompress.Compressors.BZip2;

namespace NetBet.Ingest.Tests.Import;

/// <summary>
/// The bz2 decoders: the machine's <c>bzip2 -dc</c> as a child process and the managed fallback decode the same
/// bytes, concatenated streams included, and a damaged file fails with the tool's message, reported by the import
/// as <c>file:line</c>.
/// </summary>
public sealed class Bzip2DecompressionTests(DatabaseFixture database) : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("netbet-bz2-test-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void ToolAndManaged_DecodeConcatenatedStreams_ToTheSameBytes()
    {
        var tool = RequireTool();
        var first = Text(1, 20_000);
        var second = Text(2, 5_000);
        var compressed = Compress(first).Concat(Compress(second)).ToArray();

        var expected = first.Concat(second).ToArray();
        Assert.Equal(expected, Drain(new ExternalBzip2Stream(tool, new MemoryStream(compressed))));
        Assert.Equal(expected, Drain(Bzip2Decompression.OpenManaged(new MemoryStream(compressed))));
    }

    [Fact]
    public void Tool_TruncatedOrCorruptInput_FailsWithTheToolsMessage()
    {
        var tool = RequireTool();
        var compressed = Compress(Text(3, 50_000));

        var truncated = Assert.Throws<InvalidDataException>(() => Drain(new ExternalBzip2Stream(tool, new MemoryStream(compressed[..(compressed.Length / 2)]))));
        Assert.StartsWith($"{Path.GetFileName(tool)} exit ", truncated.Message, StringComparison.Ordinal);

        var corrupt = compressed.ToArray();
        corrupt[corrupt.Length / 2] ^= 0x55;
        Assert.Throws<InvalidDataException>(() => Drain(new ExternalBzip2Stream(tool, new MemoryStream(corrupt))));
    }

    [Fact]
    public void Tool_SourceReadFailure_IsTheReadersError()
    {
        var tool = RequireTool();
        var compressed = Compress(Text(4, 50_000));

        var error = Assert.Throws<IOException>(() => Drain(new ExternalBzip2Stream(tool, new FailingStream(compressed[..4096]))));

        Assert.Equal("disk gone", error.Message);
    }

    [Fact]
    public void Tool_DisposedBeforeTheEnd_StopsTheProcessAndTheFeeder()
    {
        var tool = RequireTool();
        var source = new MemoryStream(Compress(Text(5, 200_000)));
        var stream = new ExternalBzip2Stream(tool, source);
        var buffer = new byte[100];
        Assert.Equal(100, stream.ReadAtLeast(buffer, 100));

        stream.Dispose();

        // The feeder has stopped touching the source, so the caller may move it on (as the tar reader does).
        var position = source.Position;
        Thread.Sleep(50);
        Assert.Equal(position, source.Position);
    }

    [Fact]
    public async Task ImportAsync_TruncatedBz2_ImportsTheLinesBeforeAndReportsFileAndLine()
    {
        Assert.SkipUnless(StreamSampleFiles.Root is not null, StreamSampleFiles.MissingReason);
        var tool = RequireTool();

        // 100k blocks (bzip2 -1), so the 1.1 MB sample spans several and the blocks before the cut decode.
        var plain = Path.Combine(_temp, "1.242971311");
        await using (var file = File.Create(plain))
        await using (var bz2 = Bzip2Decompression.OpenManaged(File.OpenRead(StreamSampleFiles.Historical(StreamSampleFiles.Limx0))))
        {
            await bz2.CopyToAsync(file, TestContext.Current.CancellationToken);
        }

        var start = new System.Diagnostics.ProcessStartInfo(tool) { ArgumentList = { "-1", plain } };
        using (var process = System.Diagnostics.Process.Start(start)!)
        {
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.Equal(0, process.ExitCode);
        }

        var path = plain + ".bz2";
        var bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length * 3 / 4)], TestContext.Current.CancellationToken);
        await using var db = NpgsqlDataSource.Create(await database.CreateDatabaseAsync(migrated: true, TestContext.Current.CancellationToken));
        var errors = new StringWriter();
        using var importer = new StreamImporter(
            new SnapshotWriter(db, NullLogger<SnapshotWriter>.Instance), NullLogger<StreamImporter>.Instance, new ImportOptions(), errors, progress: null);

        var summary = await importer.ImportAsync([path], TestContext.Current.CancellationToken);

        Assert.Equal(1, summary.Errors);
        Assert.Matches(@$"^{System.Text.RegularExpressions.Regex.Escape(path)}:\d+: cannot read further: ", errors.ToString());
        Assert.True(summary.Lines > 100, $"{summary.Lines} lines imported before the damage");
        Assert.True(summary.SnapshotsInserted > 0);
    }

    private static string RequireTool()
    {
        var tool = Bzip2Decompression.Tool;
        Assert.SkipWhen(tool is null, "no bzip2 tool on PATH (or NETBET_BZIP2=managed)");
        return tool!;
    }

    private static byte[] Text(int seed, int lines)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        for (var i = 0; i < lines; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{{\"op\":\"mcm\",\"pt\":{i},\"v\":{random.NextDouble()}}}\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static byte[] Compress(byte[] data)
    {
        var output = new MemoryStream();
        using (var bz2 = BZip2Stream.Create(output, CompressionMode.Compress, decompressConcatenated: false, leaveOpen: true))
        {
            bz2.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] Drain(Stream stream)
    {
        using (stream)
        {
            var output = new MemoryStream();
            stream.CopyTo(output);
            return output.ToArray();
        }
    }

    /// <summary>Gives its bytes, then fails like a disk that went away.</summary>
    private sealed class FailingStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override int Read(Span<byte> buffer)
        {
            var read = base.Read(buffer);
            return read > 0 ? read : throw new IOException("disk gone");
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));
    }
}

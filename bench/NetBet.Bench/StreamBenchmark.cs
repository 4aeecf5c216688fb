using System.Diagnostics;
using NetBet.Bench.Harness;
using NetBet.Core.Stream;
using SharpCompress.Compressors;
using SharpCompress.Compressors.BZip2;

namespace NetBet.Bench;

/// <summary>
/// Stream rebuild throughput on one core: parse + apply of the historical samples in
/// ../shared/data/betfair/stream/historical, decompressed into memory first so only parse + apply is timed.
/// An update is one <c>[price,size]</c> or <c>[level,price,size]</c> element applied.
/// </summary>
internal static class StreamBenchmark
{
    private const double TargetUpdatesPerCore = 1_000_000;
    private const int Rounds = 10;

    public static int Run(string[] args)
    {
        var folder = args.Length > 0 ? args[0] : FindSamples();
        if (folder is null || !Directory.Exists(folder))
        {
            Console.Error.WriteLine("stream: sample folder not found; pass it as the first argument or set NETBET_SHARED");
            return 2;
        }

        var files = Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal)
            .Select(path => (Name: Path.GetFileName(path), Compressed: new FileInfo(path).Length, Lines: ReadLines(path)))
            .ToList();
        var bytes = files.Sum(f => f.Lines.Sum(l => (long)l.Length + 1));
        var lines = files.Sum(f => f.Lines.Length);
        Console.WriteLine(FormattableString.Invariant(
            $"stream: {files.Count} files, {files.Sum(f => f.Compressed):N0} bytes on disk, {bytes:N0} bytes decompressed, {lines:N0} lines (average {bytes / (double)lines:N0} bytes)"));

        // Warm up so tiered compilation reaches its optimised code before timing.
        var (messages, updates) = Pass(files.Select(f => f.Lines));
        // Best of N per file, summed: the machine is shared, and one file's noisy round should not hide another's best.
        var perFile = new double[files.Count];
        Array.Fill(perFile, double.MaxValue);
        var roundRates = new double[Rounds];
        for (var round = 0; round < Rounds; round++)
        {
            var roundSeconds = 0.0;
            for (var i = 0; i < files.Count; i++)
            {
                var watch = Stopwatch.StartNew();
                Pass([files[i].Lines]);
                roundSeconds += watch.Elapsed.TotalSeconds;
                perFile[i] = Math.Min(perFile[i], watch.Elapsed.TotalSeconds);
            }

            roundRates[round] = updates / roundSeconds;
        }

        var best = perFile.Sum();

        for (var i = 0; i < files.Count; i++)
        {
            var (fileMessages, fileUpdates) = Pass([files[i].Lines]);
            Console.WriteLine(FormattableString.Invariant(
                $"stream:   {files[i].Name,-62} {fileMessages,7:N0} messages {fileUpdates,9:N0} updates {fileUpdates / perFile[i],12:N0} updates/s"));
        }

        var updatesPerSecond = updates / best;
        Console.WriteLine(FormattableString.Invariant(
            $"stream: parse + apply {messages / best:N0} messages/s, {updatesPerSecond:N0} price-level updates/s, {bytes / best / 1e6:N0} MB/s on one core (best of {Rounds} per file)"));
        Console.WriteLine(FormattableString.Invariant(
            $"stream: target {TargetUpdatesPerCore:N0} updates/s per core, ratio {updatesPerSecond / TargetUpdatesPerCore:N2}x"));
        Figures.Add("stream", "parse + apply per core (best of each file)", "updates/s", updatesPerSecond, TargetUpdatesPerCore, Goal.AtLeast, roundRates);
        return 0;
    }

    private static (long Messages, long Updates) Pass(IEnumerable<byte[][]> files)
    {
        long messages = 0, updates = 0;
        foreach (var lines in files)
        {
            var cache = new StreamCache();
            foreach (var line in lines)
            {
                var result = cache.Apply(line);
                messages++;
                updates += result.Updates;
            }
        }

        return (messages, updates);
    }

    private static byte[][] ReadLines(string path)
    {
        using var file = File.OpenRead(path);
        using Stream input = path.EndsWith(".bz2", StringComparison.Ordinal)
            ? BZip2Stream.Create(file, CompressionMode.Decompress, decompressConcatenated: true, leaveOpen: false, tolerateTruncatedStream: false)
            : file;
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        var text = buffer.ToArray().AsSpan();
        var lines = new List<byte[]>();
        while (!text.IsEmpty)
        {
            var end = text.IndexOf((byte)'\n');
            var line = (end < 0 ? text : text[..end]).TrimEnd("\r"u8);
            if (!line.IsEmpty)
            {
                lines.Add(line.ToArray());
            }

            text = end < 0 ? [] : text[(end + 1)..];
        }

        return [.. lines];
    }

    private static string? FindSamples()
    {
        var shared = Environment.GetEnvironmentVariable("NETBET_SHARED");
        if (string.IsNullOrEmpty(shared) && Machine.RepositoryRoot() is { } root)
        {
            shared = Path.Combine(root, "..", "shared");
        }

        return shared is null ? null : Path.GetFullPath(Path.Combine(shared, "data", "betfair", "stream", "historical"));
    }
}

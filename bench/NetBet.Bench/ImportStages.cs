using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Core.Stream;
using NetBet.Data.Snapshots;
using NetBet.Ingest.Capture;
using NetBet.Ingest.Import;

namespace NetBet.Bench;

/// <summary>
/// <c>bench import ... --stages</c>: CPU per stage of the import on one thread, over files decompressed into memory
/// first, so each stage's cost is told apart from the others and from waiting. Each pass adds one stage to the
/// previous one (parse + rebuild; + sample + render; + read + engine; + the capture's record and metadata), and the
/// differences are the stages' costs. Passes run twice, interleaved, best of the two.
/// </summary>
internal static class ImportStages
{
    public static async Task RunAsync(List<string> files, TimeSpan every, int batchSize, Func<List<SnapshotBatch>, Task> writeAll)
    {
        var childBefore = ChildCpu();
        var watch = Stopwatch.StartNew();
        var texts = files.Select(f =>
        {
            using var file = File.OpenRead(f);
            using var decoded = Bzip2Decompression.Open(file, f);
            using var memory = new MemoryStream();
            decoded.CopyTo(memory);
            return memory.ToArray();
        }).ToList();
        var bytes = texts.Sum(t => (long)t.Length);
        Console.WriteLine(FormattableString.Invariant(
            $"import stages: decompress {bytes / 1e6:N1} MB: {watch.Elapsed.TotalSeconds:N2} s wall, bzip2 CPU {ChildCpu() - childBefore:N2} s"));

        var best = new double[4];
        Array.Fill(best, double.MaxValue);
        (long Snapshots, long PayloadBytes) counts = default;
        for (var round = 0; round < 2; round++)
        {
            for (var depth = 0; depth < 4; depth++)
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                counts = Pass(texts, every, depth, batchSize, null);
                best[depth] = Math.Min(best[depth], (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
            }
        }

        string[] names = ["parse + rebuild", "sample + render MarketBook JSON", "read + engine (derived row)", "capture record + metadata"];
        var per = counts.Snapshots == 0 ? 1 : counts.Snapshots;
        Console.WriteLine(FormattableString.Invariant(
            $"import stages: {counts.Snapshots:N0} snapshots, payload {counts.PayloadBytes / (double)per:N0} B each on average"));
        for (var i = 0; i < 4; i++)
        {
            var own = best[i] - (i == 0 ? 0 : best[i - 1]);
            Console.WriteLine(FormattableString.Invariant(
                $"import stages:   {names[i],-34} {own,6:N2} s CPU ({own / per * 1e6,6:N1} µs per snapshot)"));
        }

        var batches = new List<SnapshotBatch>();
        Pass(texts, every, 3, batchSize, batches);
        await writeAll(batches);
    }

    private static (long Snapshots, long PayloadBytes) Pass(List<byte[]> texts, TimeSpan every, int depth, int batchSize, List<SnapshotBatch>? keep)
    {
        var json = new ArrayBufferWriter<byte>(16 * 1024);
        using var writer = new Utf8JsonWriter(json);
        var capture = new SnapshotCapture(SnapshotSources.HistoricalStream, ImportOptions.DefaultCaptureVersion);
        var filter = new MarketFilter(allMarkets: false);
        var batch = new List<SnapshotRecord>();
        var metadata = new Dictionary<string, MarketMetadata>(StringComparer.Ordinal);
        long snapshots = 0, payload = 0;
        foreach (var text in texts)
        {
            var cache = new StreamCache();
            var sampler = new SnapshotSampler(every);
            var span = text.AsSpan();
            while (!span.IsEmpty)
            {
                var end = span.IndexOf((byte)'\n');
                var line = end < 0 ? span : span[..end];
                span = end < 0 ? [] : span[(end + 1)..];
                if (line.IsEmpty)
                {
                    continue;
                }

                var result = cache.Apply(line);
                if (depth == 0 || result.Kind != StreamMessageKind.MarketChange)
                {
                    continue;
                }

                var publishTime = result.PublishTime!.Value;
                foreach (var market in cache.ChangedMarkets)
                {
                    if (sampler.Check(market, publishTime) == SnapshotTrigger.None || filter.Decide(market.Definition).Roles is not { } roles)
                    {
                        continue;
                    }

                    sampler.Taken(market, publishTime);
                    json.ResetWrittenCount();
                    writer.Reset(json);
                    market.WriteMarketBook(writer);
                    snapshots++;
                    payload += json.WrittenCount;
                    var at = DateTimeOffset.FromUnixTimeMilliseconds(publishTime);
                    if (depth == 2)
                    {
                        MetricEngine.Compute(MarketBookReader.Read(json.WrittenSpan), roles);
                    }
                    else if (depth == 3 && capture.Capture(market.MarketId, json.WrittenSpan, roles, at).Snapshot is { } snapshot)
                    {
                        batch.Add(snapshot);
                        metadata[market.MarketId] = MarketMetadataMapping.FromDefinition(market.MarketId, market.Definition!, roles, at);
                        if (batch.Count >= batchSize)
                        {
                            keep?.Add(new SnapshotBatch([.. metadata.Values], [.. batch]));
                            batch.Clear();
                            metadata.Clear();
                        }
                    }
                }
            }
        }

        if (batch.Count > 0)
        {
            keep?.Add(new SnapshotBatch([.. metadata.Values], [.. batch]));
        }

        return (snapshots, payload);
    }

    private static double ChildCpu()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / 100.0;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Bench.Harness;
using NetBet.Core.Books;
using NetBet.Core.Stream;
using NetBet.Data.Cluster;
using NetBet.Data.Snapshots;
using NetBet.Ingest.Import;
using Npgsql;
using SharpCompress.Compressors;
using SharpCompress.Compressors.BZip2;

namespace NetBet.Bench;

/// <summary>
/// <c>bench import [markets] [--updates N] [--every S] [--decompress-files N] [--lanes N] [--writers N] [--batch-size N] [--decoders-only] [--import-only] [--stages]</c>: the historical import end to end
/// over a generated PRO-style football file set (one bz2 file per MATCH_ODDS market, Betfair's folder layout),
/// into a scratch database. Prints markets/s and price updates/s, the time split (decompress, parse + rebuild,
/// write) and the bz2 decoders' MB/s against the machine's <c>bzip2 -dc</c> on the same files. The files are kept
/// under <c>artifacts/bench/import-*</c> and reused by later runs with the same size.
/// </summary>
internal static class ImportBenchmark
{
    private const double TargetMarketsPerSecond = 200;
    private const double TargetUpdatesPerSecond = 1_500_000;
    private const string GeneratorVersion = "pro-v1";
    private const int DecoderRounds = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        var markets = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var m) ? m : 1_000;
        var updates = Option(args, "--updates") ?? 10_500_000L;
        var every = TimeSpan.FromSeconds(Option(args, "--every") ?? 60);
        var decompressFiles = (int)(Option(args, "--decompress-files") ?? 100);

        var folder = Path.Combine(RepoRoot(), "artifacts", "bench", FormattableString.Invariant($"import-{markets}-{updates}"));
        var files = Generate(folder, markets, updates / markets);
        var compressed = files.Sum(f => new FileInfo(f).Length);
        Console.WriteLine(FormattableString.Invariant(
            $"import: {files.Count:N0} files in {folder}, {compressed / 1e6:N1} MB bz2; load average {LoadAverage()}"));

        if (args.Contains("--stages"))
        {
            await ImportStages.RunAsync(files, every, (int)(Option(args, "--batch-size") ?? new ImportOptions().BatchSize), WriteStagesAsync);
            return 0;
        }

        var decodersOnly = args.Contains("--decoders-only");
        var importOnly = args.Contains("--import-only");
        var (decompressSeconds, decompressedBytes) = importOnly ? (0, 0) : CompareDecoders(files.Take(decompressFiles).ToList(), files, decodersOnly);
        if (decodersOnly)
        {
            return 0;
        }

        var (parseSeconds, lineCount, parsedUpdates) = importOnly ? (0, 0, 0) : ParseAndRebuild(files);
        Console.WriteLine(FormattableString.Invariant(
            $"import: parse + rebuild alone (StreamCache, one core): {lineCount:N0} lines, {parsedUpdates:N0} updates in {parseSeconds:N1} s, {parsedUpdates / parseSeconds:N0} updates/s"));

        await using var scratch = await ScratchDatabases.StartAsync("netbet_bench_import", CancellationToken.None);
        var template = await scratch.CreateTemplateAsync(null, CancellationToken.None);
        var connection = await scratch.CreateAsync(template, CancellationToken.None);
        await using var dataSource = NpgsqlDataSource.Create(connection);
        var writer = new SnapshotWriter(dataSource, NullLogger<SnapshotWriter>.Instance);
        using var importer = new StreamImporter(writer, NullLogger<StreamImporter>.Instance, new ImportOptions
        {
            Every = every,
            Lanes = (int)(Option(args, "--lanes") ?? new ImportOptions().Lanes),
            Writers = (int)(Option(args, "--writers") ?? new ImportOptions().Writers),
            BatchSize = (int)(Option(args, "--batch-size") ?? new ImportOptions().BatchSize),
        }, Console.Error, progress: null);

        var postmaster = await PostmasterAsync(dataSource);
        var serverCpuBefore = ServerCpuSeconds(postmaster);
        var childCpuBefore = ChildrenCpuSeconds();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var summary = await importer.ImportAsync([Path.Combine(folder, "PRO")], CancellationToken.None);
        var wall = watch.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var childCpu = ChildrenCpuSeconds() - childCpuBefore;
        var serverCpu = ServerCpuSeconds(postmaster) - serverCpuBefore;
        NpgsqlConnection.ClearAllPools();

        var marketsPerSecond = summary.MarketsImported / wall;
        var updatesPerSecond = summary.Updates / wall;
        var write = importer.WriteTime.TotalSeconds;
        Console.WriteLine(FormattableString.Invariant(
            $"import: end to end {summary.MarketsImported:N0} markets, {summary.Updates:N0} updates, {summary.SnapshotsInserted:N0} snapshots (every {every.TotalSeconds:N0} s), {summary.Errors} errors in {wall:N1} s"));
        Console.WriteLine(FormattableString.Invariant(
            $"import: {marketsPerSecond:N0} markets/s (target {TargetMarketsPerSecond:N0}, {marketsPerSecond / TargetMarketsPerSecond:N2}x), {updatesPerSecond:N0} updates/s (target {TargetUpdatesPerSecond:N0}, {updatesPerSecond / TargetUpdatesPerSecond:N2}x), {summary.SnapshotsInserted / wall:N0} snapshots/s"));
        Figures.Add("import", $"{summary.MarketsImported:N0} markets end to end (bz2 to database)", "markets/s", marketsPerSecond, TargetMarketsPerSecond, Goal.AtLeast);
        Figures.Add("import", $"{summary.Updates:N0} price updates end to end", "updates/s", updatesPerSecond, TargetUpdatesPerSecond, Goal.AtLeast);
        Console.WriteLine(FormattableString.Invariant(
            $"import: time split: decompress {decompressSeconds:N1} s wall alone with the import's decoder ({decompressedBytes / decompressSeconds / 1e6:N0} MB/s; in the import it runs in bzip2 child processes beside parsing, {childCpu:N1} s of their CPU), parse + rebuild {parseSeconds:N1} s alone, writes {write:N1} s summed over the writers, parsing waited {importer.WaitTime.TotalSeconds:N1} s (summed over the lanes) for the writers; importer process CPU {cpu:N1} s"));
        // On a shared machine the wall clock mostly measures waiting for a core; the CPU each part used does not.
        // On an idle 2-core machine the import could take no less than its busiest process, nor less than all the
        // CPU spread over both cores.
        var idleWall = Math.Max(cpu, (cpu + childCpu + (serverCpu ?? 0)) / Environment.ProcessorCount);
        Console.WriteLine(FormattableString.Invariant(
            $"import: CPU: importer {cpu:N1} s, {Path.GetFileName(Bzip2Decompression.Tool ?? "bzip2")} {childCpu:N1} s, PostgreSQL {(serverCpu is { } server ? server.ToString("N1", CultureInfo.InvariantCulture) + " s" : "not measured (remote server)")}; on an idle {Environment.ProcessorCount}-core machine at best {idleWall:N1} s: {summary.MarketsImported / idleWall:N0} markets/s, {summary.Updates / idleWall:N0} updates/s"));
        Console.WriteLine(FormattableString.Invariant($"import: load average {LoadAverage()} (the machine is shared; figures are a floor)"));
        return summary.Errors == 0 && summary.MarketsImported == markets ? 0 : 1;
    }

    // The write stage alone: the captured batches written one after the other, client and server CPU apart.
    private static async Task WriteStagesAsync(List<SnapshotBatch> batches)
    {
        await using var scratch = await ScratchDatabases.StartAsync("netbet_bench_import", CancellationToken.None);
        var template = await scratch.CreateTemplateAsync(null, CancellationToken.None);
        var connection = await scratch.CreateAsync(template, CancellationToken.None);
        await using var dataSource = NpgsqlDataSource.Create(connection);
        var writer = new SnapshotWriter(dataSource, NullLogger<SnapshotWriter>.Instance);
        await writer.WriteAsync(batches[0], CancellationToken.None); // warm-up: schema, partitions, JIT
        var postmaster = await PostmasterAsync(dataSource);
        var serverBefore = ServerCpuSeconds(postmaster);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var snapshots = 0L;
        foreach (var batch in batches.Skip(1))
        {
            snapshots += (await writer.WriteAsync(batch, CancellationToken.None)).SnapshotsInserted;
        }

        var wall = watch.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var server = ServerCpuSeconds(postmaster) - serverBefore ?? 0;
        var size = await ScalarAsync(dataSource, """
            select coalesce(sum(pg_total_relation_size(c.oid)), 0) from pg_class c
            where c.oid = 'market_book_snapshots'::regclass
               or c.oid in (select inhrelid from pg_inherits where inhparent = 'market_book_snapshots'::regclass)
            """);
        var payload = await ScalarAsync(dataSource, "select coalesce(avg(pg_column_size(raw_payload)), 0) from market_book_snapshots");
        Console.WriteLine(FormattableString.Invariant(
            $"import stages:   write (COPY, one connection)          {wall:N2} s wall for {snapshots:N0} snapshots ({snapshots / wall:N0}/s): client CPU {cpu:N2} s ({cpu / snapshots * 1e6:N1} µs per snapshot), PostgreSQL CPU {server:N2} s ({server / snapshots * 1e6:N1} µs per snapshot); market_book_snapshots {size / 1e6:N1} MB, raw_payload {payload:N0} B stored per snapshot (jsonb, compressed)"));
        NpgsqlConnection.ClearAllPools();
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static long? Option(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? long.Parse(args[i + 1], CultureInfo.InvariantCulture) : null;

    /// <summary>MB/s of each decoder on the same files, one file at a time, and of the managed one two files at a time.</summary>
    private static (double Seconds, long Bytes) CompareDecoders(List<string> sample, List<string> all, bool decodersOnly)
    {
        var compressed = sample.Sum(f => new FileInfo(f).Length);
        Console.WriteLine(FormattableString.Invariant(
            $"import: decompression of {sample.Count} files ({compressed / 1e6:N1} MB bz2), best of {DecoderRounds} interleaved rounds; decoder used by the import: {Bzip2Decompression.Tool ?? "managed (SharpCompress)"}"));
        // The reference is the bzip2 tool itself, whichever tool the import picked (NETBET_BZIP2 may name lbzip2).
        const string tool = "bzip2";
        (string Name, Func<long> Run)[] decoders =
        [
            ("bzip2 -dc (the tool, its own process per file)", () => sample.Sum(f => RunTool(tool, f))),
            ("managed SharpCompress, in process", () => sample.Sum(f => Drain(Bzip2Decompression.OpenManaged, f))),
            ("managed SharpCompress, 2 files at a time", () => ParallelSum(sample, f => Drain(Bzip2Decompression.OpenManaged, f))),
            ("import decoder, a file on disk (the tool reads it)", () => sample.Sum(f => Drain(s => Bzip2Decompression.Open(s, f), f))),
            ("import decoder, bytes piped in (inside a tar)", () => sample.Sum(f => Drain(s => Bzip2Decompression.Open(s), f))),
        ];

        // Rounds interleave the decoders, so a burst of load on the shared machine does not land on one of them only.
        // CPU (this process's and its bzip2 children's) is counted too: under load it says more than the wall clock.
        var results = decoders.Select(d => (d.Name, Seconds: double.MaxValue, Cpu: double.MaxValue, Bytes: 0L)).ToArray();
        for (var round = 0; round < DecoderRounds; round++)
        {
            for (var i = 0; i < decoders.Length; i++)
            {
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds + ChildrenCpuSeconds();
                var clock = Stopwatch.StartNew();
                var bytes = decoders[i].Run();
                var seconds = clock.Elapsed.TotalSeconds;
                var cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds + ChildrenCpuSeconds() - cpuBefore;
                results[i] = (results[i].Name, Math.Min(results[i].Seconds, seconds), Math.Min(results[i].Cpu, cpu), bytes);
            }
        }

        var reference = results[0].Bytes / results[0].Seconds;
        foreach (var (name, seconds, cpu, bytes) in results)
        {
            Console.WriteLine(FormattableString.Invariant(
                $"import:   {name,-50} {bytes / seconds / 1e6,7:N1} MB/s decompressed ({bytes / seconds / reference:N2}x the tool), {bytes / cpu / 1e6,6:N1} MB per CPU second"));
        }

        if (decodersOnly)
        {
            return (0, 0);
        }

        // The import's decoder over every file, for the time split.
        var watch = Stopwatch.StartNew();
        var total = all.Sum(f => Drain(s => Bzip2Decompression.Open(s, f), f));
        return (watch.Elapsed.TotalSeconds, total);
    }

    private static long ParallelSum(List<string> files, Func<string, long> each)
    {
        long total = 0;
        Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = 2 }, f => Interlocked.Add(ref total, each(f)));
        return total;
    }

    private static long Drain(Func<Stream, Stream> open, string path)
    {
        using var file = File.OpenRead(path);
        using var decoded = open(file);
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = decoded.Read(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    private static long RunTool(string tool, string path)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-dc");
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.BaseStream;
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = output.Read(buffer)) > 0)
        {
            total += read;
        }

        process.WaitForExit();
        return total;
    }

    private static (double Seconds, long Lines, long Updates) ParseAndRebuild(List<string> files)
    {
        double seconds = 0;
        long lines = 0, updates = 0;
        foreach (var path in files)
        {
            using var file = File.OpenRead(path);
            using var decoded = Bzip2Decompression.Open(file, path);
            using var memory = new MemoryStream();
            decoded.CopyTo(memory);
            var watch = Stopwatch.StartNew();
            var cache = new StreamCache();
            var text = memory.GetBuffer().AsSpan(0, (int)memory.Length);
            while (!text.IsEmpty)
            {
                var end = text.IndexOf((byte)'\n');
                var line = end < 0 ? text : text[..end];
                text = end < 0 ? [] : text[(end + 1)..];
                if (!line.IsEmpty)
                {
                    updates += cache.Apply(line).Updates;
                    lines++;
                }
            }

            seconds += watch.Elapsed.TotalSeconds;
        }

        return (seconds, lines, updates);
    }

    private static List<string> Generate(string folder, int markets, long updatesPerMarket)
    {
        var marker = Path.Combine(folder, "complete.txt");
        if (File.Exists(marker) && File.ReadAllText(marker).Trim() == GeneratorVersion)
        {
            return ListFiles(folder);
        }

        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        var watch = Stopwatch.StartNew();
        Parallel.For(0, markets, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i => ProFileGenerator.Write(folder, i, updatesPerMarket));
        File.WriteAllText(marker, GeneratorVersion + "\n");
        Console.WriteLine(FormattableString.Invariant($"import: generated {markets:N0} market files in {watch.Elapsed.TotalSeconds:N0} s"));
        return ListFiles(folder);
    }

    private static List<string> ListFiles(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*.bz2", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NetBet.slnx")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    private static async Task<int?> PostmasterAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("select pg_backend_pid()");
        var backend = (int)(await command.ExecuteScalarAsync())!;
        return Stat(backend) is { } stat ? (int)stat.ParentId : null;
    }

    // The postmaster's own CPU, that of the backends and auxiliary processes alive now, and that of those it reaped.
    private static double? ServerCpuSeconds(int? postmaster)
    {
        if (postmaster is not { } pid || Stat(pid) is not { } server)
        {
            return null;
        }

        var ticks = server.OwnTicks + server.ChildTicks;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), CultureInfo.InvariantCulture, out var child) && Stat(child) is { } stat && stat.ParentId == pid)
            {
                ticks += stat.OwnTicks;
            }
        }

        return ticks / 100.0;
    }

    private static (long ParentId, long OwnTicks, long ChildTicks)? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long Field(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
            return (Field(1), Field(11) + Field(12), Field(13) + Field(14));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // cutime + cstime of /proc/self/stat: CPU of the child processes waited for (the bzip2 decoders).
    private static double ChildrenCpuSeconds() => (Stat(Environment.ProcessId)?.ChildTicks ?? 0) / 100.0;

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}

/// <summary>
/// Writes one Betfair historical PRO-style file: a football MATCH_ODDS market (3 runners with sortPriority,
/// eventTypeId 1) opened an hour before kick-off, in play for 110 minutes, then closed with a winner; <c>op:mcm</c>
/// lines with <c>clk</c> and <c>pt</c>, an image first, then <c>atb</c>/<c>atl</c> deltas and trades on the price
/// ladder, in Betfair's folder layout <c>PRO/yyyy/MMM/d/eventId/marketId.bz2</c>. Deterministic per market.
/// </summary>
internal static class ProFileGenerator
{
    private static readonly DateTimeOffset FirstKickOff = new(2025, 5, 3, 12, 0, 0, TimeSpan.Zero);

    public static void Write(string root, int index, long updatesTarget)
    {
        var random = new Random(index * 7919 + 17);
        var kickOff = FirstKickOff.AddMinutes(index / 8 * 15 % (60 * 24 * 30));
        var eventId = 34_000_000 + index;
        var marketId = string.Create(CultureInfo.InvariantCulture, $"1.{240_000_000 + index}");
        var directory = Path.Combine(root, "PRO", kickOff.ToString("yyyy", CultureInfo.InvariantCulture), kickOff.ToString("MMM", CultureInfo.InvariantCulture),
            kickOff.Day.ToString(CultureInfo.InvariantCulture), eventId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, marketId + ".bz2");

        // The machine's bzip2 when present (as Betfair's files are made), else SharpCompress's encoder.
        var tool = Bzip2Decompression.Tool;
        var plain = tool is null ? null : Path.Combine(directory, marketId);
        using (Stream output = plain is null ? BZip2Stream.Create(File.Create(path), CompressionMode.Compress, decompressConcatenated: false, leaveOpen: false) : File.Create(plain))
        using (var text = new StreamWriter(output, new UTF8Encoding(false), 1 << 16))
        {
            new Market(random, marketId, eventId, kickOff).WriteAll(text, updatesTarget);
        }

        if (plain is not null)
        {
            var start = new ProcessStartInfo(tool!) { UseShellExecute = false };
            start.ArgumentList.Add("-9");
            start.ArgumentList.Add("-f");
            start.ArgumentList.Add(plain);
            using var process = Process.Start(start)!;
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new IOException($"{tool} failed on {plain}");
            }
        }
    }

    private sealed class Market(Random random, string marketId, int eventId, DateTimeOffset kickOff)
    {
        private static readonly string[] Teams = ["Arsenal", "Villa", "Brighton", "Chelsea", "Everton", "Fulham", "Leeds", "Leicester", "Liverpool", "Newcastle", "Forest", "Wolves", "Palace", "Brentford", "Burnley", "Spurs"];
        private readonly long[] _selections = [47_999 + (eventId % 97), 48_351 + (eventId % 89), 58_805];
        private readonly string[] _names = [Teams[eventId % Teams.Length], Teams[(eventId + 5) % Teams.Length], "The Draw"];
        private readonly int[] _bestBack = [PriceLadder.IndexAtOrBelow(2.0), PriceLadder.IndexAtOrBelow(4.0), PriceLadder.IndexAtOrBelow(3.4)];
        private readonly double[] _traded = new double[3];
        private readonly StringBuilder _line = new(1024);
        private long _clk = 1000;
        private long _version = 4_000_000_000;

        public void WriteAll(TextWriter text, long updatesTarget)
        {
            var open = kickOff.AddHours(-1).ToUnixTimeMilliseconds();
            var start = kickOff.ToUnixTimeMilliseconds();
            var end = kickOff.AddMinutes(110).ToUnixTimeMilliseconds();

            // Expected lines from the target and about 4.2 updates a line, spread evenly over the market's life.
            var expectedLines = Math.Max(10, updatesTarget / 4.2);
            var meanGap = (end - open) / expectedLines;
            var pt = open;
            Line(pt, () => { Definition("OPEN", inPlay: false, winner: -1); Image(); });
            long updates = 0;
            var inPlay = false;
            while (updates < updatesTarget)
            {
                pt += 1 + (long)(-Math.Log(1 - random.NextDouble()) * meanGap);
                if (!inPlay && pt >= start)
                {
                    inPlay = true;
                    Line(start, () => Definition("SUSPENDED", inPlay: false, winner: -1));
                    Line(start + 500, () => Definition("OPEN", inPlay: true, winner: -1));
                    pt = Math.Max(pt, start + 501);
                }

                var count = 0;
                Line(pt, () => count = Deltas());
                updates += count;
            }

            pt = Math.Max(pt, end) + 1000;
            var winner = random.Next(3);
            Line(pt, () => Definition("SUSPENDED", inPlay: true, winner: -1));
            Line(pt + 60_000, () => Definition("CLOSED", inPlay: true, winner));
            return;

            void Line(long publishTime, Action body)
            {
                _line.Clear();
                _line.Append(CultureInfo.InvariantCulture, $"{{\"op\":\"mcm\",\"clk\":\"{_clk++}\",\"pt\":{publishTime},\"mc\":[{{\"id\":\"{marketId}\"");
                body();
                _line.Append("}]}");
                text.Write(_line);
                text.Write('\n');
            }
        }

        private void Definition(string status, bool inPlay, int winner)
        {
            var time = kickOff.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            var open = kickOff.AddHours(-1).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            _line.Append(CultureInfo.InvariantCulture,
                $",\"marketDefinition\":{{\"bspMarket\":false,\"turnInPlayEnabled\":true,\"persistenceEnabled\":true,\"marketBaseRate\":5,\"eventId\":\"{eventId}\",\"eventTypeId\":\"1\",\"numberOfWinners\":1,\"bettingType\":\"ODDS\",\"marketType\":\"MATCH_ODDS\",\"marketTime\":\"{time}\",\"suspendTime\":\"{time}\",\"bspReconciled\":false,\"complete\":true,\"inPlay\":{(inPlay ? "true" : "false")},\"crossMatching\":{(status == "OPEN" ? "true" : "false")},\"runnersVoidable\":false,\"numberOfActiveRunners\":{(winner >= 0 ? 0 : 3)},\"betDelay\":{(inPlay ? 5 : 0)},\"status\":\"{status}\",\"runners\":[");
            for (var r = 0; r < 3; r++)
            {
                var runnerStatus = winner < 0 ? "ACTIVE" : r == winner ? "WINNER" : "LOSER";
                _line.Append(CultureInfo.InvariantCulture,
                    $"{(r > 0 ? "," : "")}{{\"status\":\"{runnerStatus}\",\"sortPriority\":{r + 1},\"id\":{_selections[r]},\"name\":\"{_names[r]}\"}}");
            }

            _line.Append(CultureInfo.InvariantCulture,
                $"],\"regulators\":[\"MR_INT\"],\"countryCode\":\"GB\",\"discountAllowed\":true,\"timezone\":\"GMT\",\"openDate\":\"{open}\",\"version\":{_version++},\"name\":\"Match Odds\",\"eventName\":\"{_names[0]} v {_names[1]}\"}}");
        }

        private void Image()
        {
            _line.Append(",\"rc\":[");
            for (var r = 0; r < 3; r++)
            {
                _line.Append(r > 0 ? ",{\"atb\":[" : "{\"atb\":[");
                for (var k = 0; k < 8; k++)
                {
                    Level(k > 0, _bestBack[r] - k, Size());
                }

                _line.Append("],\"atl\":[");
                for (var k = 0; k < 8; k++)
                {
                    Level(k > 0, _bestBack[r] + 1 + k, Size());
                }

                _line.Append(CultureInfo.InvariantCulture, $"],\"id\":{_selections[r]}}}");
            }

            _line.Append("],\"img\":true");
        }

        // A delta for one to three runners: a few levels near the best prices, sometimes a trade. Returns the updates.
        private int Deltas()
        {
            var roll = random.NextDouble();
            var runners = roll < 0.6 ? 1 : roll < 0.85 ? 2 : 3;
            var first = random.Next(3);
            var updates = 0;
            double traded = 0;
            _line.Append(",\"rc\":[");
            for (var n = 0; n < runners; n++)
            {
                var r = (first + n) % 3;
                if (random.NextDouble() < 0.05)
                {
                    _bestBack[r] = Math.Clamp(_bestBack[r] + (random.Next(2) * 2) - 1, 20, PriceLadder.Count - 40);
                }

                _line.Append(n > 0 ? ",{" : "{");
                var sides = random.Next(1, 3);
                var back = sides == 2 || random.Next(2) == 0;
                var lay = sides == 2 || !back;
                if (back)
                {
                    updates += Side("atb", r, -1);
                }

                if (lay)
                {
                    updates += Side("atl", r, 1);
                }

                if (random.NextDouble() < 0.2)
                {
                    var amount = Math.Round(random.NextDouble() * 50, 2);
                    _traded[r] = Math.Round(_traded[r] + amount, 2);
                    traded += amount;
                    var price = PriceLadder.At(_bestBack[r]);
                    _line.Append(CultureInfo.InvariantCulture, $",\"trd\":[[{price},{_traded[r]}]],\"ltp\":{price},\"tv\":{_traded[r]}");
                    updates++;
                }

                _line.Append(CultureInfo.InvariantCulture, $",\"id\":{_selections[r]}}}");
            }

            _line.Append(']');
            if (traded > 0)
            {
                _line.Append(CultureInfo.InvariantCulture, $",\"tv\":{Math.Round(_traded.Sum(), 2)}");
            }

            return updates;
        }

        private int Side(string name, int runner, int direction)
        {
            var levels = random.Next(1, 4);
            _line.Append(CultureInfo.InvariantCulture, $"{(_line[^1] != '{' ? "," : "")}\"{name}\":[");
            for (var k = 0; k < levels; k++)
            {
                var offset = random.Next(8);
                var index = direction < 0 ? _bestBack[runner] - offset : _bestBack[runner] + 1 + offset;
                Level(k > 0, index, random.NextDouble() < 0.25 ? 0 : Size());
            }

            _line.Append(']');
            return levels;
        }

        private void Level(bool comma, int index, double size) =>
            _line.Append(CultureInfo.InvariantCulture, $"{(comma ? "," : "")}[{PriceLadder.At(index)},{size}]");

        private double Size() => Math.Round(2 + (random.NextDouble() * random.NextDouble() * 800), 2);
    }
}

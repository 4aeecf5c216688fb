using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Bench.Harness;
using NetBet.Data.Cluster;
using NetBet.Data.Export;
using NetBet.Data.Migrations;
using NetBet.Data.Queries;
using Npgsql;

namespace NetBet.Bench;

/// <summary>
/// <c>bench export [--snapshots N] [--rounds N]</c> (default 1,000,000 snapshots, 1 round): fills a scratch database with N snapshots and their
/// derived rows (as <c>bench backfill</c> does, nothing NULL), then exports a tenth of them and all of them to Parquet
/// and to CSV exactly as <c>netbet export --from .. --to ..</c> does (same query, same writers, to a temporary file).
/// Prints rows/s against the target of 200,000 and the peak working set sampled during each export, so a memory
/// that grows with the row count shows as a larger peak for the full export than for the tenth. Then runs the real
/// <c>netbet export</c> (the built netbet.dll, as a child process) for the tenth and for all, and prints its wall time,
/// CPU time and peak resident memory (VmHWM), the figures a user sees.
/// </summary>
internal static class ExportBenchmark
{
    private const double TargetRowsPerSecond = 200_000;

    // "Memory flat in the row count": ten times the rows may cost at most a quarter more peak memory (allocator and
    // GC budgets grow a little with the work done, whatever the design).
    private const double MaxPeakGrowth = 1.25;

    public static async Task<int> RunAsync(string[] args)
    {
        var snapshots = 1_000_000;
        var rounds = 1;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--snapshots" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0:
                    snapshots = n;
                    i++;
                    break;
                case "--rounds" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r > 0:
                    rounds = r;
                    i++;
                    break;
                default:
                    Console.Error.WriteLine($"export: bad argument {args[i]}; usage: export [--snapshots N] [--rounds N]");
                    return 2;
            }
        }

        await using var databases = await ScratchDatabases.StartAsync("netbet_exportbench", CancellationToken.None);
        var connectionString = await databases.CreateAsync(template: null, CancellationToken.None);
        await using var db = NpgsqlDataSource.Create(connectionString);
        await new MigrationRunner(db, NullLogger<MigrationRunner>.Instance).MigrateAsync(null, dryRun: false, null, CancellationToken.None);
        var fill = Stopwatch.StartNew();
        await BackfillBenchmark.FillAsync(db, snapshots, nullColumns: []);
        await using (var vacuum = db.CreateCommand("vacuum analyze"))
        {
            await vacuum.ExecuteNonQueryAsync();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"export: filled {snapshots:N0} snapshots with derived rows in {fill.Elapsed.TotalSeconds:F1} s; {Environment.ProcessorCount} cores"));
        var (first, last) = await ExtentAsync(db);
        var tenth = first + ((last - first) / 10);
        var queries = new ExportQueries(db);
        var failed = false;
        var rates = new Dictionary<ExportFormat, List<double>>();
        var peaks = new Dictionary<(ExportFormat, string), List<double>>();
        // Warm-up (JIT, plan, pools) on a sliver of the window, not reported.
        await ExportOnceAsync(queries, ExportFormat.Parquet, new TimeWindow(first, first.AddMinutes(30)));
        await ExportOnceAsync(queries, ExportFormat.Csv, new TimeWindow(first, first.AddMinutes(30)));
        // Rounds interleave the formats, so a shared machine's changing load falls on each alike.
        foreach (var format in Enumerable.Repeat(new[] { ExportFormat.Parquet, ExportFormat.Csv }, rounds).SelectMany(f => f))
        {
            foreach (var (label, to) in new[] { ("1/10", tenth), ("all ", last.AddTicks(10)) })
            {
                var result = await ExportOnceAsync(queries, format, new TimeWindow(first, to));
                var rate = result.Rows / result.Seconds;
                if (label == "all ")
                {
                    Runs(rates, format).Add(rate);
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"export {format,-7} {label}: {result.Rows,9:N0} rows in {result.Seconds,6:F1} s = {rate,9:N0} rows/s (target {TargetRowsPerSecond:N0}), exporter CPU {result.CpuSeconds,5:F1} s = {result.Rows / result.CpuSeconds,9:N0} rows/CPU-s, {result.Bytes / 1e6,7:F1} MB, peak working set {result.PeakWorkingSet / 1e6:F0} MB (before: {result.BaselineWorkingSet / 1e6:F0} MB), live heap after {result.LiveHeapAfter / 1e6:F0} MB"));
            }
        }

        var netbet = ShortRunBenchmark.LocateBinary();
        foreach (var format in Enumerable.Repeat(new[] { ExportFormat.Parquet, ExportFormat.Csv }, rounds).SelectMany(f => f))
        {
            foreach (var (label, to) in new[] { ("1/10", tenth), ("all ", last.AddTicks(10)) })
            {
                // NETBET_EXPORT_BASELINE_DLL: another build's netbet.dll (or its netbet executable), run in turn with this one.
                foreach (var (build, dll) in new[] { ("", netbet), ("baseline ", Environment.GetEnvironmentVariable("NETBET_EXPORT_BASELINE_DLL")) })
                {
                    if (dll is not { Length: > 0 })
                    {
                        continue;
                    }

                    var result = await RunNetBetExportAsync(dll, connectionString, format, first, to);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{build}netbet export {format,-7} {label}: {result.Summary}; process {result.Seconds,6:F1} s wall (startup included), CPU {result.CpuSeconds,5:F1} s, peak resident memory (VmHWM) {result.PeakResidentBytes / 1e6:F0} MB"));
                    failed |= result.ExitCode != 0;
                    if (build.Length == 0)
                    {
                        Runs(peaks, (format, label)).Add(result.PeakResidentBytes);
                    }
                }
            }
        }

        foreach (var (format, runs) in rates)
        {
            Figures.Add("export", FormattableString.Invariant($"{format}, {snapshots:N0} snapshots (exporter in process)"), "rows/s", Figures.Median(runs), TargetRowsPerSecond, Goal.AtLeast, runs);
        }

        // Memory flat in the row count: the real process's peak for all rows over its peak for a tenth of them.
        foreach (var format in peaks.Keys.Select(k => k.Item1).Distinct().ToList())
        {
            if (peaks.TryGetValue((format, "all "), out var all) && peaks.TryGetValue((format, "1/10"), out var tenthPeaks))
            {
                Figures.Add("export", $"{format}: netbet export peak memory, all rows over a tenth", "x", all.Max() / tenthPeaks.Min(), MaxPeakGrowth, Goal.AtMost);
            }
        }

        if (File.Exists("/proc/loadavg"))
        {
            Console.WriteLine($"export: load average {(await File.ReadAllTextAsync("/proc/loadavg")).Trim()} (a shared machine's rates include waiting for a core)");
        }

        return failed ? 1 : 0;
    }

    private static async Task<(long Rows, double Seconds, double CpuSeconds, long Bytes, long PeakWorkingSet, long BaselineWorkingSet, long LiveHeapAfter)> ExportOnceAsync(
        ExportQueries queries, ExportFormat format, TimeWindow window)
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseline = process.WorkingSet64;
        var peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                await Task.Delay(50, CancellationToken.None);
            }
        });

        var path = Path.Combine(Path.GetTempPath(), $"netbet-export-bench-{Environment.ProcessId}.{format}");
        var counters = new ExportCounters();
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            await using var writer = await ExportWriter.CreateAsync(format, stream, SnapshotExportRow.Columns, CancellationToken.None);
            await ExportWriter.WriteAllAsync(writer, queries.ReadSnapshotsAsync(new ExportSelection(null, null, window), counters, CancellationToken.None), CancellationToken.None);
        }

        var seconds = watch.Elapsed.TotalSeconds;
        process.Refresh();
        var cpuSeconds = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        await sampling.CancelAsync();
        await sampler;
        var bytes = new FileInfo(path).Length;
        File.Delete(path);
        return (counters.Rows, seconds, cpuSeconds, bytes, peak, baseline, GC.GetTotalMemory(forceFullCollection: true));
    }

    private static List<double> Runs<TKey>(Dictionary<TKey, List<double>> runs, TKey key)
        where TKey : notnull => CollectionsMarshal.GetValueRefOrAddDefault(runs, key, out _) ??= [];

    private static async Task<(int ExitCode, string Summary, double Seconds, double CpuSeconds, long PeakResidentBytes)> RunNetBetExportAsync(
        string netbet, string connectionString, ExportFormat format, DateTimeOffset from, DateTimeOffset to)
    {
        var path = Path.Combine(Path.GetTempPath(), $"netbet-export-bench-{Environment.ProcessId}-child.{format}");
        // The executable itself, as ./netbet runs it: the published copy is self-contained (its own composite runtime),
        // so `dotnet netbet.dll` would run it on the shared framework, without its precompiled code. A baseline given
        // as a .dll runs on dotnet.
        var viaDotnet = netbet.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var start = new ProcessStartInfo(viaDotnet ? "dotnet" : netbet) { RedirectStandardError = true, UseShellExecute = false };
        if (viaDotnet)
        {
            start.ArgumentList.Add(netbet);
        }

        foreach (var arg in new[]
        {
            "export", "--from", from.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), "--to", to.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            "--format", format == ExportFormat.Csv ? "csv" : "parquet", "--out", path,
        })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NETBET_DB"] = connectionString;
        var watch = Stopwatch.StartNew();
        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        long peak = 0;
        double cpu = 0;
        var ticksPerSecond = 100.0; // USER_HZ on Linux
        while (!child.HasExited)
        {
            try
            {
                foreach (var line in await File.ReadAllLinesAsync($"/proc/{child.Id}/status"))
                {
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    {
                        peak = Math.Max(peak, long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024);
                    }
                }

                // utime and stime, fields 14 and 15 of /proc/PID/stat (after the parenthesised command name).
                var stat = await File.ReadAllTextAsync($"/proc/{child.Id}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                cpu = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / ticksPerSecond;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                break; // exited between the check and the read
            }

            await Task.Delay(20);
        }

        await child.WaitForExitAsync();
        var seconds = watch.Elapsed.TotalSeconds;
        File.Delete(path);
        var summary = (await stderr).Trim().Split('\n').LastOrDefault() ?? "";
        return (child.ExitCode, summary, seconds, cpu, peak);
    }

    private static async Task<(DateTimeOffset First, DateTimeOffset Last)> ExtentAsync(NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand("select min(snapshot_at), max(snapshot_at) from market_book_snapshots");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetFieldValue<DateTimeOffset>(0), reader.GetFieldValue<DateTimeOffset>(1));
    }
}

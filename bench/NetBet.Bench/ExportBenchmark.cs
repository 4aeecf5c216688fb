using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Data.Cluster;
using NetBet.Data.Export;
using NetBet.Data.Migrations;
using NetBet.Data.Queries;
using Npgsql;

namespace NetBet.Bench;

/// <summary>
/// <c>bench export [--snapshots N]</c> (default 1,000,000): fills a scratch database with N snapshots and their
/// derived rows (as <c>bench backfill</c> does, nothing NULL), then exports a tenth of them and all of them to Parquet
/// and to CSV exactly as <c>netbet export --from .. --to ..</c> does (same query, same writers, to a temporary file).
/// Prints rows/s against the target of 200,000 and the peak working set sampled during each export, so a memory
/// that grows with the row count shows as a larger peak for the full export than for the tenth.
/// </summary>
internal static class ExportBenchmark
{
    private const double TargetRowsPerSecond = 200_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var snapshots = 1_000_000;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--snapshots" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0:
                    snapshots = n;
                    i++;
                    break;
                default:
                    Console.Error.WriteLine($"export: bad argument {args[i]}; usage: export [--snapshots N]");
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
        // Warm-up (JIT, plan, pools) on a sliver of the window, not reported.
        await ExportOnceAsync(queries, ExportFormat.Parquet, new TimeWindow(first, first.AddMinutes(30)));
        await ExportOnceAsync(queries, ExportFormat.Csv, new TimeWindow(first, first.AddMinutes(30)));
        foreach (var format in new[] { ExportFormat.Parquet, ExportFormat.Csv })
        {
            foreach (var (label, to) in new[] { ("1/10", tenth), ("all ", last.AddTicks(10)) })
            {
                var result = await ExportOnceAsync(queries, format, new TimeWindow(first, to));
                var rate = result.Rows / result.Seconds;
                failed |= rate < TargetRowsPerSecond;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"export {format,-7} {label}: {result.Rows,9:N0} rows in {result.Seconds,6:F1} s = {rate,9:N0} rows/s (target {TargetRowsPerSecond:N0}), exporter CPU {result.CpuSeconds,5:F1} s = {result.Rows / result.CpuSeconds,9:N0} rows/CPU-s, {result.Bytes / 1e6,7:F1} MB, peak working set {result.PeakWorkingSet / 1e6:F0} MB (before: {result.BaselineWorkingSet / 1e6:F0} MB), live heap after {result.LiveHeapAfter / 1e6:F0} MB"));
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

    private static async Task<(DateTimeOffset First, DateTimeOffset Last)> ExtentAsync(NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand("select min(snapshot_at), max(snapshot_at) from market_book_snapshots");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetFieldValue<DateTimeOffset>(0), reader.GetFieldValue<DateTimeOffset>(1));
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Bench.Harness;
using NetBet.Data.Backfill;
using NetBet.Data.Migrations;
using Npgsql;

namespace NetBet.Bench;

/// <summary>
/// <c>bench short [--rows 7881,50000] [--runs R] [--binary PATH] [--keep]</c>: the seed's own scenario, run as a user runs it.
/// For each size, a scratch database holds that many generated snapshots whose post-base-schema metric columns are
/// NULL; the real published <c>netbet backfill</c> runs as a child process R times (the columns reset to NULL and
/// vacuumed before each), timed from process start to its summary line on stdout. Reports wall and CPU
/// min/median/max, the first batch's rate (as its progress line prints it) against the steady rate of the run's
/// second half, and the speed-up over the original Python backfill (940 rows/s on this data: 8.4 s for 7,881 rows,
/// 53 s for 50,000).
/// </summary>
public static partial class ShortRunBenchmark
{
    private const double OriginalRowsPerSecond = 940;
    private const double TargetSmallSeconds = 0.4;
    private const double TargetTimesOriginal = 20;
    private const double TargetFirstBatchSlowdown = 1.5;

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var sizes = Argument(args, "--rows")?.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() ?? [7_881, 50_000];
        var runs = Argument(args, "--runs") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 5;
        var binary = Argument(args, "--binary") ?? LocateBinary();
        if (!File.Exists(binary))
        {
            Console.Error.WriteLine($"short: {binary} is missing: run ./netbet once (it publishes the ReadyToRun copy), or build src/NetBet.Cli");
            return 2;
        }

        return await DurableDatabase.RunAsync("short", args.Contains("--keep"), async db =>
        {
            await new MigrationRunner(db, NullLogger<MigrationRunner>.Instance).MigrateAsync(null, dryRun: false, null, CancellationToken.None);
            Console.WriteLine($"short: {binary}, {Environment.ProcessorCount} cores, load average {LoadAverage()}");
            var failed = false;
            foreach (var rows in sizes)
            {
                failed |= !await MeasureAsync(db, binary, rows, runs);
            }

            Console.WriteLine($"short: load average at the end {LoadAverage()}");
            return failed ? 1 : 0;
        });
    }

    private static async Task<bool> MeasureAsync(NpgsqlDataSource db, string binary, int rows, int runs)
    {
        var columns = MetricSchema.AddedAfterBaseSchema.ToArray();
        await ExecuteAsync(db, "truncate market_derived_metrics, market_book_snapshots, market_event_metadata");
        await BackfillBenchmark.FillAsync(db, rows, columns);
        var walls = new List<double>();
        var cpus = new List<double>();
        var slowdowns = new List<double>();
        var firstRates = new List<double>();
        var steadyRates = new List<double>();
        for (var run = 1; run <= runs; run++)
        {
            // Every run starts from the same state: the 18 columns NULL, no dead rows, statistics fresh, no
            // checkpoint due (the fill's or the last run's writes would otherwise be flushed mid-run).
            await ExecuteAsync(db, $"update market_derived_metrics set {string.Join(", ", columns.Select(c => c + " = null"))}");
            await ExecuteAsync(db, "vacuum analyze");
            await ExecuteAsync(db, "checkpoint");
            var outcome = await RunChildAsync(binary, db.ConnectionString);
            var expected = $"Backfill complete: {rows} processed, {rows} updated, 0 skipped, 0 errors";
            if (outcome.Summary != expected || outcome.ExitCode != 0)
            {
                Console.Error.WriteLine($"short: run {run} at {rows:N0} rows: exit {outcome.ExitCode}, '{outcome.Summary}' (expected '{expected}')");
                Console.Error.WriteLine(outcome.Stderr);
                return false;
            }

            var (first, steady) = Rates(outcome.Progress);
            walls.Add(outcome.WallSeconds);
            cpus.Add(outcome.CpuSeconds);
            firstRates.Add(first);
            steadyRates.Add(steady);
            slowdowns.Add(steady / first);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"short: {rows:N0} rows, run {run}: {outcome.WallSeconds:F3} s wall, {outcome.CpuSeconds:F2} s CPU, {outcome.Progress.Count} batches, first batch {first:N0} rows/s, steady {steady:N0} rows/s ({steady / first:F2}x)"));
        }

        var original = rows / OriginalRowsPerSecond;
        var median = Figures.Median(walls);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            short: {rows:N0} rows, {runs} runs of `netbet backfill` (process start to summary line):
                   wall {Figures.Spread(walls, "s")}; CPU {Figures.Spread(cpus, "s")}
                   first batch {Figures.Spread(firstRates, "rows/s")}; steady {Figures.Spread(steadyRates, "rows/s")}
                   the original at {OriginalRowsPerSecond:N0} rows/s takes {original:F1} s: {original / median:F1}x faster (median), {original / walls.Max():F1}x at the slowest run
            """));
        var label = rows.ToString("N0", CultureInfo.InvariantCulture);
        if (rows <= 10_000)
        {
            Figures.Add("short", $"{label} rows end to end (wall, median)", "s", median, TargetSmallSeconds, Goal.AtMost, walls);
        }

        Figures.Add("short", $"{label} rows against the original ({original:F1} s)", "x original", original / median, TargetTimesOriginal, Goal.AtLeast, [.. walls.Select(w => original / w)]);
        Figures.Add("short", $"{label} rows: steady rate over the first batch's", "x", Figures.Median(slowdowns), TargetFirstBatchSlowdown, Goal.AtMost, slowdowns);
        return true;
    }

    /// <summary>
    /// The first batch's rate as its progress line prints it (rows since the run started), and the rate of the run's
    /// second half, from the same lines: each prints processed and rows/s since the start, so elapsed = processed / rate.
    /// </summary>
    private static (double First, double Steady) Rates(IReadOnlyList<(long Processed, double Rate)> progress)
    {
        var first = progress[0].Rate;
        if (progress.Count < 3)
        {
            return (first, progress[^1].Rate);
        }

        var middle = progress[progress.Count / 2];
        var last = progress[^1];
        var seconds = last.Processed / last.Rate - middle.Processed / middle.Rate;
        return (first, (last.Processed - middle.Processed) / seconds);
    }

    private static async Task<ChildRun> RunChildAsync(string binary, string connectionString)
    {
        var start = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("backfill");
        start.Environment["NETBET_DB"] = connectionString;
        start.Environment["NETBET_HOME"] = Path.Combine(Path.GetTempPath(), $"netbet-bench-short-{Environment.ProcessId}");
        var progress = new List<(long, double)>();
        var stderr = new System.Text.StringBuilder();
        string? summary = null;
        double summaryAt = 0;
        var cpuBefore = ChildrenCpuSeconds();
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var readErrors = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                stderr.AppendLine(line);
                if (ProgressLine().Match(line) is { Success: true } m)
                {
                    progress.Add((long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)));
                }
            }
        });
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("Backfill complete:", StringComparison.Ordinal))
            {
                summaryAt = watch.Elapsed.TotalSeconds;
                summary = line;
            }
        }

        await process.WaitForExitAsync();
        await readErrors;
        return new ChildRun(process.ExitCode, summary, summaryAt, ChildrenCpuSeconds() - cpuBefore, progress, stderr.ToString());
    }

    private sealed record ChildRun(int ExitCode, string? Summary, double WallSeconds, double CpuSeconds, IReadOnlyList<(long Processed, double Rate)> Progress, string Stderr);

    /// <summary>The `netbet` a user runs: the precompiled copy `./netbet` publishes, else the plain build.</summary>
    internal static string LocateBinary()
    {
        var root = RepoRoot();
        var r2r = Path.Combine(root, "artifacts", "publish", "netbet-r2r", "netbet");
        return File.Exists(r2r) ? r2r : Path.Combine(root, "artifacts", "bin", "NetBet.Cli", "release", "netbet");
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NetBet.slnx")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    // cutime + cstime of /proc/self/stat: CPU of the child processes waited for.
    private static double ChildrenCpuSeconds()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / 100.0;
    }

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

    private static string? Argument(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    [GeneratedRegex(@"^batch \d+: (\d+)/\d+, (\d+) rows/s, last snapshot_id \d+$")]
    private static partial Regex ProgressLine();
}

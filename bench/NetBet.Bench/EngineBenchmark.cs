using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NetBet.Bench.Harness;
using NetBet.Core.Books;
using NetBet.Core.Metrics;

namespace NetBet.Bench;

/// <summary>
/// <c>engine [books] [--rounds R]</c>: parse + compute throughput of the metric engine on one core, beside a bare
/// <see cref="Utf8JsonReader"/> pass over the same books (the floor any reader built on it can reach), the reader
/// alone and the engine alone on parsed books. Each pass is timed by the wall clock and by the process's CPU time: on a shared machine the wall clock also
/// counts waiting for a core, so the CPU-time rate is the per-core figure. Allocations per book come from the
/// thread's allocation counter, which no other process disturbs.
/// </summary>
internal static class EngineBenchmark
{
    private const double TargetPerCore = 200_000;

    public static int Run(string[] args)
    {
        var count = 20_000;
        var rounds = 5;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: count = int.Parse(args[i], CultureInfo.InvariantCulture); break;
            }
        }

        var random = new Random(20261126);
        var payloads = Enumerable.Range(0, count).Select(i => BookGenerator.Generate(random, $"1.{200000000 + i}")).ToArray();
        var roles = new RunnerRoles(BookGenerator.SelectionIds[0], BookGenerator.SelectionIds[1], BookGenerator.SelectionIds[2]);
        Console.WriteLine(FormattableString.Invariant(
            $"engine: {count:N0} books, average payload {payloads.Average(p => p.Length):N0} bytes (3 runners, 1-10 levels a side), {rounds} rounds; {Environment.ProcessorCount} cores, load average {Machine.LoadAverage()}"));

        var books = payloads.Select(p => MarketBookReader.Read(p)).ToArray();
        // The reader reads without comment handling (and again skipping comments only when that fails): the bare pass
        // it is measured against does the same; the one skipping comments is shown beside it.
        Measure("bare pass, skipping comments", count, rounds, () => BarePass(payloads, JsonCommentHandling.Skip));
        var bare = Measure("bare Utf8JsonReader pass", count, rounds, () => BarePass(payloads, JsonCommentHandling.Disallow));
        var read = Measure("MarketBookReader.Read", count, rounds, () => ReadPass(payloads));
        Measure("MetricEngine.Compute alone", count, rounds, () => ComputePass(books, roles));
        var full = Measure("parse + compute", count, rounds, () => FullPass(payloads, roles));

        Console.WriteLine(FormattableString.Invariant(
            $"engine: parse + compute runs at {full.CpuRate / bare.CpuRate:P0} of the bare reader's rate (reader alone {read.CpuRate / bare.CpuRate:P0}), by CPU time"));
        var figure = Figures.Add("engine", "parse + compute per core (CPU time)", "snapshots/s", full.CpuRate, TargetPerCore, Goal.AtLeast, full.CpuRates);
        Figures.Add("engine", "parse + compute (wall clock, best round)", "snapshots/s", full.WallRates.Max(), TargetPerCore, Goal.AtLeast, full.WallRates);
        Console.WriteLine(FormattableString.Invariant(
            $"engine: target {TargetPerCore:N0}/s per core, ratio {figure.Ratio:N2}x (CPU time; wall clock best {full.WallRates.Max():N0}/s)"));
        return 0;
    }

    private sealed record Measurement(double[] WallRates, double[] CpuRates, double BytesPerBook)
    {
        public double CpuRate => Figures.Median(CpuRates);
    }

    private static Measurement Measure(string name, int count, int rounds, Func<double> pass)
    {
        // Warm up so tiered compilation reaches its optimised code before timing.
        var checksum = pass() + pass();
        var wall = new double[rounds];
        var cpu = new double[rounds];
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < rounds; round++)
        {
            var cpuStart = Environment.CpuUsage.TotalTime;
            var started = Stopwatch.GetTimestamp();
            checksum += pass();
            wall[round] = count / Stopwatch.GetElapsedTime(started).TotalSeconds;
            cpu[round] = count / Math.Max((Environment.CpuUsage.TotalTime - cpuStart).TotalSeconds, 1e-6);
        }

        var bytesPerBook = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)rounds / count;
        Console.WriteLine(FormattableString.Invariant(
            $"engine: {name,-26} {Figures.Spread(cpu, "books/s")} by CPU time; wall clock median {Figures.Median(wall):N0}/s; {bytesPerBook:N0} bytes allocated per book (checksum {checksum:E3})"));
        return new Measurement(wall, cpu, bytesPerBook);
    }

    private static double BarePass(byte[][] payloads, JsonCommentHandling comments)
    {
        var tokens = 0L;
        foreach (var payload in payloads)
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { CommentHandling = comments });
            while (reader.Read())
            {
                tokens++;
            }
        }

        return tokens;
    }

    private static double ReadPass(byte[][] payloads)
    {
        var sum = 0.0;
        foreach (var payload in payloads)
        {
            sum += MarketBookReader.Read(payload).RunnerEntryCount;
        }

        return sum;
    }

    private static double ComputePass(MarketBook[] books, RunnerRoles roles)
    {
        var sum = 0.0;
        foreach (var book in books)
        {
            sum += MetricEngine.Compute(book, roles).Row![0] ?? 0;
        }

        return sum;
    }

    private static double FullPass(byte[][] payloads, RunnerRoles roles)
    {
        var sum = 0.0;
        foreach (var payload in payloads)
        {
            var row = MetricEngine.Compute(MarketBookReader.Read(payload), roles).Row!;
            sum += row[0] ?? 0;
        }

        return sum;
    }
}

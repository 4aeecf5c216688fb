using System.Diagnostics;
using System.Globalization;
using NetBet.Core.Books;
using NetBet.Core.Metrics;

namespace NetBet.Bench;

/// <summary>Parse + compute throughput of the metric engine on one core.</summary>
internal static class EngineBenchmark
{
    private const double TargetPerCore = 200_000;

    public static int Run(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
        var random = new Random(20261126);
        var payloads = Enumerable.Range(0, count).Select(i => BookGenerator.Generate(random, $"1.{200000000 + i}")).ToArray();
        var roles = new RunnerRoles(BookGenerator.SelectionIds[0], BookGenerator.SelectionIds[1], BookGenerator.SelectionIds[2]);
        var averageBytes = payloads.Average(p => p.Length);

        // Warm up so tiered compilation reaches its optimised code before timing.
        var checksum = Pass(payloads, roles);
        var best = double.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var watch = Stopwatch.StartNew();
            checksum += Pass(payloads, roles);
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }

        var perSecond = count / best;
        Console.WriteLine(FormattableString.Invariant($"engine: {count:N0} books, average payload {averageBytes:N0} bytes (3 runners, 1-10 levels a side)"));
        Console.WriteLine(FormattableString.Invariant($"engine: parse + compute {perSecond:N0} snapshots/s on one core (best of 5), {1e6 / perSecond:N2} us per snapshot"));
        Console.WriteLine(FormattableString.Invariant($"engine: target {TargetPerCore:N0}/s per core, ratio {perSecond / TargetPerCore:N2}x  (checksum {checksum:E3})"));
        return 0;
    }

    private static double Pass(byte[][] payloads, RunnerRoles roles)
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

using System.Globalization;

namespace NetBet.Bench.Harness;

/// <summary>Whether a figure meets its target by reaching it (throughput) or by staying under it (latency, ratios).</summary>
internal enum Goal
{
    AtLeast,
    AtMost,
}

/// <summary>
/// One headline figure of a benchmark: the value compared with the target, and the repeated runs it summarises
/// (empty when the benchmark measures once).
/// </summary>
internal sealed record Figure(string Benchmark, string Name, string Unit, double Value, double Target, Goal Goal, IReadOnlyList<double> Runs)
{
    /// <summary>How far the value is from the target, as "times the target" in the direction that counts: 1 or more is met.</summary>
    public double Ratio => Goal == Goal.AtLeast ? Value / Target : Target / Value;

    public bool Met => Goal == Goal.AtLeast ? Value >= Target : Value <= Target;
}

/// <summary>
/// Where benchmarks hand in their headline figures. A benchmark prints its own details and calls <see cref="Add"/>
/// for each figure with a target; <c>bench all</c> collects them into one table and one JSON file.
/// </summary>
internal static class Figures
{
    private static readonly List<Figure> Collected = [];

    public static IReadOnlyList<Figure> All
    {
        get
        {
            lock (Collected)
            {
                return [.. Collected];
            }
        }
    }

    /// <summary>Records a figure; when <paramref name="runs"/> has several values, prints their min/median/max.</summary>
    public static Figure Add(string benchmark, string name, string unit, double value, double target, Goal goal, IReadOnlyList<double>? runs = null)
    {
        var figure = new Figure(benchmark, name, unit, value, target, goal, runs ?? []);
        if (figure.Runs.Count > 1)
        {
            Console.WriteLine($"{benchmark}: {name}: {Spread(figure.Runs, unit)} over {figure.Runs.Count} runs");
        }

        lock (Collected)
        {
            Collected.Add(figure);
        }

        return figure;
    }

    /// <summary>"min X, median Y, max Z unit" of repeated runs.</summary>
    public static string Spread(IReadOnlyList<double> runs, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"min {Format(Min(runs))}, median {Format(Median(runs))}, max {Format(Max(runs))} {unit}");

    public static double Median(IReadOnlyList<double> runs)
    {
        var sorted = runs.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    public static double Min(IReadOnlyList<double> runs) => runs.Min();

    public static double Max(IReadOnlyList<double> runs) => runs.Max();

    /// <summary>Thousands separators for large values, 3 significant digits for small ones.</summary>
    public static string Format(double value) => Math.Abs(value) >= 100
        ? value.ToString("N0", CultureInfo.InvariantCulture)
        : value.ToString("0.###", CultureInfo.InvariantCulture);
}

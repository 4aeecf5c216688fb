using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NetBet.Bench.Harness;

/// <summary>
/// <c>bench all [--quick] [name...]</c>: runs every benchmark (or the named ones) in turn at its default size, or at
/// a small one with <c>--quick</c>, then prints one table of the headline figures against their targets and writes
/// the same, with the machine and the git commit, to <c>artifacts/bench/bench-&lt;UTC time&gt;-&lt;commit&gt;.json</c>
/// so figures compare across commits. Exits 1 when a benchmark failed, 0 otherwise (missed targets are reported,
/// not failures).
/// </summary>
internal static class AllCommand
{
    private static readonly string[] Header = ["benchmark", "figure", "value", "target", "ratio", ""];

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task<int> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var names = args.Where(a => a != "--quick").ToArray();
        var unknown = names.Where(n => Benchmarks.Find(n) is null).ToArray();
        if (unknown.Length > 0)
        {
            Console.Error.WriteLine($"bench all: unknown benchmark(s) {string.Join(", ", unknown)}");
            return Benchmarks.Usage();
        }

        var selected = names.Length == 0 ? Benchmarks.All : [.. Benchmarks.All.Where(b => names.Contains(b.Name))];
        var machine = Machine.Describe();
        var started = DateTimeOffset.UtcNow;
        var runs = new List<BenchmarkRun>();
        foreach (var benchmark in selected)
        {
            var arguments = quick ? benchmark.QuickArguments : [];
            Console.WriteLine($"== {benchmark.Name} {string.Join(' ', arguments)}".TrimEnd());
            var before = Figures.All.Count;
            var watch = Stopwatch.StartNew();
            int exitCode;
            string? error = null;
            try
            {
                exitCode = await benchmark.Run(arguments);
            }
#pragma warning disable CA1031 // one failing benchmark must not stop the others; its error is reported and recorded
            catch (Exception e)
#pragma warning restore CA1031
            {
                exitCode = 1;
                error = $"{e.GetType().Name}: {e.Message}";
                Console.Error.WriteLine($"{benchmark.Name}: failed: {e}");
            }

            runs.Add(new BenchmarkRun(benchmark.Name, arguments, exitCode, error, Math.Round(watch.Elapsed.TotalSeconds, 1), [.. Figures.All.Skip(before)]));
            Console.WriteLine();
        }

        Console.WriteLine(Table(runs));
        Console.WriteLine($"machine: {machine.Cores} cores, {machine.MemoryBytes / (1L << 30)} GiB, {machine.Os}, {machine.Dotnet}, {machine.PostgreSql}; load average {machine.LoadAverageAtStart} at start, {Machine.LoadAverage()} at end");
        var path = Write(machine, started, quick, runs);
        Console.WriteLine($"written to {path}");
        return runs.All(r => r.ExitCode == 0) ? 0 : 1;
    }

    private sealed record BenchmarkRun(string Name, string[] Arguments, int ExitCode, string? Error, double Seconds, IReadOnlyList<Figure> Figures);

    /// <summary>The table printed by <c>bench all</c> (and pasted into README): one row per figure.</summary>
    private static string Table(IReadOnlyList<BenchmarkRun> runs)
    {
        var rows = new List<string[]> { Header };
        foreach (var run in runs)
        {
            if (run.Figures.Count == 0)
            {
                rows.Add([run.Name, run.ExitCode == 0 ? "(no figures)" : $"FAILED (exit {run.ExitCode})", "", "", "", ""]);
            }

            foreach (var f in run.Figures)
            {
                var spread = f.Runs.Count > 1 ? $" ({Figures.Format(Figures.Min(f.Runs))}–{Figures.Format(Figures.Max(f.Runs))})" : "";
                rows.Add([
                    f.Benchmark,
                    f.Name,
                    $"{Figures.Format(f.Value)} {f.Unit}{spread}",
                    $"{(f.Goal == Goal.AtLeast ? "≥" : "≤")} {Figures.Format(f.Target)}",
                    f.Ratio.ToString("0.00", CultureInfo.InvariantCulture) + "x",
                    f.Met ? "met" : "missed",
                ]);
            }
        }

        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }

        return text.ToString();
    }

    private static string Write(Machine machine, DateTimeOffset started, bool quick, IReadOnlyList<BenchmarkRun> runs)
    {
        var folder = Path.Combine(Machine.RepositoryRoot() ?? Directory.GetCurrentDirectory(), "artifacts", "bench");
        Directory.CreateDirectory(folder);
        var commit = machine.GitCommit.Length >= 10 ? machine.GitCommit[..10] : machine.GitCommit;
        var path = Path.Combine(folder, $"bench-{started:yyyyMMdd'T'HHmmss'Z'}-{commit}{(quick ? "-quick" : "")}.json");
        var document = new
        {
            Started = started,
            Finished = DateTimeOffset.UtcNow,
            Quick = quick,
            Machine = machine,
            LoadAverageAtEnd = Machine.LoadAverage(),
            Benchmarks = runs.Select(r => new
            {
                r.Name,
                r.Arguments,
                r.ExitCode,
                r.Error,
                r.Seconds,
                Figures = r.Figures.Select(f => new
                {
                    f.Name,
                    f.Unit,
                    f.Value,
                    f.Target,
                    Goal = f.Goal == Goal.AtLeast ? "at_least" : "at_most",
                    f.Ratio,
                    f.Met,
                    Runs = f.Runs,
                    Min = f.Runs.Count > 0 ? Figures.Min(f.Runs) : (double?)null,
                    Median = f.Runs.Count > 0 ? Figures.Median(f.Runs) : (double?)null,
                    Max = f.Runs.Count > 0 ? Figures.Max(f.Runs) : (double?)null,
                }),
            }),
        };
        File.WriteAllText(path, JsonSerializer.Serialize(document, JsonOptions));
        return path;
    }
}

namespace NetBet.Bench.Harness;

/// <summary>A benchmark subcommand: its name, its arguments for the usage line, its entry point, and the arguments
/// <c>bench all --quick</c> gives it (small sizes; the defaults apply without <c>--quick</c>).</summary>
internal sealed record Benchmark(string Name, string Arguments, Func<string[], Task<int>> Run, string[] QuickArguments);

/// <summary>Every benchmark, in the order <c>bench all</c> runs them. Adding one is one line here.</summary>
internal static class Benchmarks
{
    public static IReadOnlyList<Benchmark> All { get; } =
    [
        new("engine", "[books] [--rounds R]", Sync(EngineBenchmark.Run), ["5000", "--rounds", "3"]),
        new("stream", "[folder]", Sync(StreamBenchmark.Run), []),
        new("stream-live", "[lines]", StreamLiveBenchmark.RunAsync, ["20000"]),
        new("write", "[snapshots]", WriteBenchmark.RunAsync, ["30000"]),
        new("backfill", "[rows] [--batch-size B] [--runs R] [--workers W] [--keep]", BackfillBenchmark.RunAsync, ["20000"]),
        new("short", "[--rows 7881,50000] [--runs R] [--binary PATH] [--keep]", ShortRunBenchmark.RunAsync, ["--runs", "2"]),
        new("api", "[requests]", ApiBenchmark.RunAsync, ["300"]),
        new("convert", "[snapshots]", ConvertBenchmark.RunAsync, ["20000"]),
        new("export", "[--snapshots N]", ExportBenchmark.RunAsync, ["--snapshots", "20000"]),
        new("import", "[markets] [--updates N] [--every S] [--decompress-files N] [--lanes N] [--writers N] [--batch-size N] [--decoders-only] [--import-only] [--stages]", ImportBenchmark.RunAsync, ["50", "--updates", "200000"]),
        new("leagues", "[markets] [--small M] [--snapshots S] [--requests R] [--rounds K] [--keep]", LeaguesBenchmark.RunAsync, ["500", "--small", "100", "--snapshots", "100", "--requests", "100", "--rounds", "2"]),
        new("scale", "[--snapshots N] [--checkpoint C] [--requests R] [--workers W] [--keep]", ScaleBenchmark.RunAsync, ["--snapshots", "30000", "--checkpoint", "15000", "--requests", "20"]),
    ];

    public static Benchmark? Find(string name) => All.FirstOrDefault(b => b.Name == name);

    public static int Usage()
    {
        Console.Error.WriteLine("usage: bench all [--quick] [name...]");
        foreach (var benchmark in All)
        {
            Console.Error.WriteLine($"       bench {benchmark.Name} {benchmark.Arguments}");
        }

        return 2;
    }

    private static Func<string[], Task<int>> Sync(Func<string[], int> run) => args => Task.FromResult(run(args));
}

using NetBet.Bench.Harness;

// Benchmarks run by hand in Release, never as tests: dotnet run -c Release --project bench/NetBet.Bench -- <name> [args]
// `all [--quick] [name...]` runs every benchmark (or the named ones) and writes the figures to artifacts/bench/.
var name = args.Length > 0 ? args[0] : "engine";
var rest = args.Skip(1).ToArray();
if (name == "all")
{
    return await AllCommand.RunAsync(rest);
}

return Benchmarks.Find(name) is { } benchmark ? await benchmark.Run(rest) : Benchmarks.Usage();

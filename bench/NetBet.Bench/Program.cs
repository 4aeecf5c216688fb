using NetBet.Bench;

// Benchmarks run by hand in Release, never as tests: dotnet run -c Release --project bench/NetBet.Bench -- <name> [args]
var name = args.Length > 0 ? args[0] : "engine";
var rest = args.Skip(1).ToArray();
return name switch
{
    "engine" => EngineBenchmark.Run(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: bench <engine> [args]");
    return 2;
}

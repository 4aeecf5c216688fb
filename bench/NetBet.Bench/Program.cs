using NetBet.Bench;

// Benchmarks run by hand in Release, never as tests: dotnet run -c Release --project bench/NetBet.Bench -- <name> [args]
var name = args.Length > 0 ? args[0] : "engine";
var rest = args.Skip(1).ToArray();
return name switch
{
    "engine" => EngineBenchmark.Run(rest),
    "stream" => StreamBenchmark.Run(rest),
    "stream-live" => await StreamLiveBenchmark.RunAsync(rest),
    "write" => await WriteBenchmark.RunAsync(rest),
    "backfill" => await BackfillBenchmark.RunAsync(rest),
    "api" => await ApiBenchmark.RunAsync(rest),
    "convert" => await ConvertBenchmark.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: bench engine [books] | stream [folder] | stream-live [lines] | write [snapshots] | backfill [rows] | api [requests] | convert [snapshots]");
    return 2;
}

using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetBet.Cli.Hosting;
using NetBet.Data.Snapshots;
using NetBet.Ingest.Import;

namespace NetBet.Cli.Ingest;

/// <summary><c>netbet ingest import PATH...</c>: imports Betfair historical stream files.</summary>
internal sealed class ImportCommand : Command
{
    public ImportCommand()
        : base("import", """
            Import Betfair historical stream files (purchased PRO/ADVANCED/BASIC data or self-recorded Exchange
            Stream captures): one mcm message per line, plain, .gz or .bz2, a folder of them, or a .tar of them.
            Each market's order book is rebuilt from the deltas and stored as a listMarketBook-shaped snapshot
            (source historical_stream) every --every of exchange time and at each status change, with its derived
            metrics. Football 3-runner MATCH_ODDS only unless --all-markets; markets without any ladder (BASIC
            files carry last traded prices only) are skipped as "no book data". Importing a file again adds nothing.
            A malformed line is reported on stderr as file:line: what, and the import goes on. Prices must be on
            the market's Betfair price ladder (CLASSIC: the 350 ticks from 1.01 to 1000), markets have at most
            1,000 runners and at most 10,000 markets are held at once (closed ones leave): a line breaking a
            bound is an error like any malformed line, so memory stays bounded on any file.
            The last line on stdout is the summary. Exit 0; 1 when any line or file had an error; 2 on bad arguments.

            Examples:
              ./netbet ingest import ~/betfair/PRO/2026/Nov/
              ./netbet ingest import data.tar --every 30s
              ./netbet ingest import 1.242971311.bz2 --all-markets
              ./netbet ingest import recordings/ --every 5s --carry-forward
            """)
    {
        Arguments.Add(Paths);
        Options.Add(Every);
        Options.Add(AllMarkets);
        Options.Add(BatchSize);
        Options.Add(CarryForward);
        SetAction((parseResult, cancellationToken) => RunAsync(parseResult, Console.Out, Console.Error, cancellationToken));
    }

    public Argument<string[]> Paths { get; } = new("PATH")
    {
        Description = "Stream files, folders of them (searched recursively) or .tar archives.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Option<TimeSpan> Every { get; } = Durations.CreateOption(
        "--every", "Exchange time between snapshots of one market", TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));

    public Option<bool> AllMarkets { get; } = new("--all-markets")
    {
        Description = "Keep every market whose runners' sortPriority 1/2/3 map to HOME/AWAY/DRAW, not only football MATCH_ODDS.",
    };

    public Option<int> BatchSize { get; } = new Option<int>("--batch-size")
    {
        Description = "Snapshots per database transaction (1 to 100,000).",
        DefaultValueFactory = _ => 2000,
    }.Between(1, OptionRange.MaxBatchSize);

    public Option<bool> CarryForward { get; } = new("--carry-forward")
    {
        Description = "The live recorder's grid: a snapshot per market at every multiple of --every (book carried forward) plus one per status change; replays an 'ingest stream --record' recording into the same snapshots.",
    };

    /// <summary>Runs the import with the services of <see cref="CliHost"/>; returns the exit code.</summary>
    public async Task<int> RunAsync(ParseResult parseResult, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var paths = parseResult.GetValue(Paths) ?? [];
        if (Validate(paths) is { } problem)
        {
            await stderr.WriteLineAsync($"netbet ingest import: {problem}");
            return ExitCodes.InvalidInput;
        }

        var options = new ImportOptions
        {
            Every = parseResult.GetValue(Every),
            AllMarkets = parseResult.GetValue(AllMarkets),
            BatchSize = parseResult.GetValue(BatchSize),
            CarryForward = parseResult.GetValue(CarryForward),
        };
        await using var services = await CliHost.BuildServicesAsync(parseResult, cancellationToken);
        using var importer = new StreamImporter(
            services.GetRequiredService<SnapshotWriter>(),
            services.GetRequiredService<ILogger<StreamImporter>>(),
            options,
            stderr,
            CliHost.IsQuiet(parseResult) ? null : stderr);
        var summary = await importer.ImportAsync(paths, cancellationToken);
        await stdout.WriteLineAsync(summary.ToString());
        return summary.Interrupted ? ExitCodes.Interrupted
            : summary.Errors > 0 ? ExitCodes.Failed
            : ExitCodes.Success;
    }

    /// <summary>The first unusable argument, or null. Top-level files are probed now, so a .zip fails before any work.</summary>
    internal static string? Validate(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0)
        {
            return "give at least one PATH (a stream file, a folder or a .tar)";
        }

        foreach (var path in paths)
        {
            if (StreamImporter.CheckPath(path) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }
}

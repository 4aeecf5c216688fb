using System.CommandLine;
using System.Globalization;
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
            A malformed line is reported on stderr as file:line: what, and the import goes on.
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

    public Option<string> Every { get; } = new("--every")
    {
        Description = "Exchange time between snapshots of one market, e.g. 60s, 5m, 1h, 500ms.",
        DefaultValueFactory = _ => "60s",
        HelpName = "duration",
    };

    public Option<bool> AllMarkets { get; } = new("--all-markets")
    {
        Description = "Keep every market whose runners' sortPriority 1/2/3 map to HOME/AWAY/DRAW, not only football MATCH_ODDS.",
    };

    public Option<int> BatchSize { get; } = new("--batch-size")
    {
        Description = "Snapshots per database transaction.",
        DefaultValueFactory = _ => 2000,
    };

    public Option<bool> CarryForward { get; } = new("--carry-forward")
    {
        Description = "The live recorder's grid: a snapshot per market at every multiple of --every (book carried forward) plus one per status change; replays an 'ingest stream --record' recording into the same snapshots.",
    };

    /// <summary>Runs the import with the services of <see cref="CliHost"/>; returns the exit code.</summary>
    public async Task<int> RunAsync(ParseResult parseResult, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var paths = parseResult.GetValue(Paths) ?? [];
        if (Validate(paths, parseResult.GetValue(Every), parseResult.GetValue(BatchSize), out var every) is { } problem)
        {
            await stderr.WriteLineAsync($"netbet ingest import: {problem}");
            return ExitCodes.InvalidInput;
        }

        var options = new ImportOptions
        {
            Every = every,
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
    internal static string? Validate(IReadOnlyList<string> paths, string? everyText, int batchSize, out TimeSpan every)
    {
        every = default;
        if (paths.Count == 0)
        {
            return "give at least one PATH (a stream file, a folder or a .tar)";
        }

        if (!TryParseDuration(everyText, out every) || every < TimeSpan.FromMilliseconds(1))
        {
            return $"--every: '{everyText}' is not a duration such as 60s, 5m, 1h or 500ms";
        }

        if (batchSize < 1)
        {
            return "--batch-size must be at least 1";
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

    /// <summary>Parses <c>500ms</c>, <c>60s</c>, <c>5m</c>, <c>1h</c>, a bare number of seconds or <c>hh:mm:ss</c>.</summary>
    internal static bool TryParseDuration(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        (string Suffix, double Seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];
        foreach (var (suffix, seconds) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                && double.IsFinite(value) && value >= 0 && value * seconds < TimeSpan.MaxValue.TotalSeconds)
            {
                duration = TimeSpan.FromSeconds(value * seconds);
                return true;
            }
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain) && double.IsFinite(plain) && plain >= 0 && plain < 1e9)
        {
            duration = TimeSpan.FromSeconds(plain);
            return true;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration);
    }
}

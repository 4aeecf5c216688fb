using System.CommandLine;
using System.CommandLine.Invocation;
using NetBet.Cli.Archive;
using NetBet.Cli.Audit;
using NetBet.Cli.Backfill;
using NetBet.Cli.Compute;
using NetBet.Cli.Database;
using NetBet.Cli.Demo;
using NetBet.Cli.Exchange;
using NetBet.Cli.Hosting;
using NetBet.Cli.Ingest;
using NetBet.Cli.Partitions;
using NetBet.Cli.SpotCheck;
using NetBet.Cli.Status;

namespace NetBet.Cli;

/// <summary>The root <c>netbet</c> command: composes the subcommands, nothing else.</summary>
internal static class NetBetCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand(
            """
            NetBet Risk Analytics: record, derive, backfill, audit and serve Betfair football MATCH_ODDS order-book metrics.

            Example:
              ./netbet demo                  run the whole story on a private PostgreSQL with simulated markets
            """);
        root.Subcommands.Add(new ComputeCommand());
        root.Subcommands.Add(new IngestCommand());
        root.Subcommands.Add(new MigrateCommand());
        root.Subcommands.Add(new DbCommand());
        root.Subcommands.Add(new AuditCommand());
        root.Subcommands.Add(new BackfillCommand());
        root.Subcommands.Add(new SpotCheckCommand());
        root.Subcommands.Add(new PartitionsCommand());
        root.Subcommands.Add(new ArchiveCommand());
        root.Subcommands.Add(new RestoreCommand());
        root.Subcommands.Add(new ExchangeCommand());
        root.Subcommands.Add(new StatusCommand());
        root.Subcommands.Add(new DemoCommand());
        root.Subcommands.Add(new NetBet.Cli.Serve.ServeCommand());
        root.Subcommands.Add(new NetBet.Cli.Export.ExportCommand());
        root.Options.Add(CliHost.Verbosity);
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            // Exceptions reach the catches below instead of System.CommandLine's stack-trace printer. Ctrl-C/SIGTERM
            // cancel the command's token and leave it time to finish the batch or tick in flight (System.CommandLine
            // 2.0.0 leaves the timeout unset, i.e. unhandled, on an explicit configuration).
            var configuration = new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = TimeSpan.FromSeconds(90),
            };
            var parseResult = Create().Parse(args);
            var exitCode = await parseResult.InvokeAsync(configuration);

            // System.CommandLine reports parse errors (an unknown option, an out-of-range value) and returns 1, which
            // would read as "ran and found a problem"; bad arguments are exit 2 for every command.
            return parseResult.Action is ParseErrorAction ? ExitCodes.InvalidInput : exitCode;
        }
        catch (Exception e) when (CliHost.TryGetExitCode(e, Console.Error) is { } exitCode)
        {
            return exitCode;
        }
#pragma warning disable CA1031 // The one top-level catch: anything unexpected becomes a message and an exit code.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await Console.Error.WriteLineAsync($"netbet: unexpected error: {e}");
            return ExitCodes.Unexpected;
        }
    }
}

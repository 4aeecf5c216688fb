using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using NetBet.Cli.Hosting;
using NetBet.Data.Backfill;

namespace NetBet.Cli.Backfill;

/// <summary><c>netbet backfill</c>: fills NULL metric columns from the stored raw payloads.</summary>
internal sealed class BackfillCommand : Command
{
    public BackfillCommand()
        : base("backfill", """
            Fill NULL metric columns of market_derived_metrics by recomputing them from each snapshot's raw payload
            with the ingestion engine. Batches in snapshot_id order, one short transaction each; never overwrites a
            value, so it is safe to rerun, interrupt (Ctrl-C, kill -9) and run beside live ingestion.
            The last line on stdout is always: Backfill complete: N processed, N updated, N skipped, N errors.
            Exit 0; 1 when a payload could not be read (or --verify found drift); 2 on bad options; 130 on Ctrl-C.

            Examples:
              ./netbet backfill --dry-run
              ./netbet backfill --columns home_back_stake,away_back_stake --batch-size 2000
              ./netbet backfill --market 1.216395251 --from 2026-02-01 --to 2026-02-14
              ./netbet backfill --verify
            """)
    {
        Options.Add(BatchSize);
        Options.Add(Limit);
        Options.Add(DryRun);
        Options.Add(Columns);
        Options.Add(Market);
        Options.Add(From);
        Options.Add(To);
        Options.Add(Verify);
        Limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long?>() is < 0)
            {
                result.AddError("--limit must not be negative");
            }
        });
        SetAction(async (parseResult, cancellationToken) =>
        {
            if (parseResult.GetValue(DryRun) && parseResult.GetValue(Verify))
            {
                await Console.Error.WriteLineAsync("netbet backfill: --dry-run and --verify cannot be combined");
                return ExitCodes.InvalidInput;
            }

            var options = new BackfillOptions
            {
                BatchSize = parseResult.GetValue(BatchSize),
                Limit = parseResult.GetValue(Limit),
                DryRun = parseResult.GetValue(DryRun),
                Verify = parseResult.GetValue(Verify),
                Columns = parseResult.GetValue(Columns)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                MarketId = parseResult.GetValue(Market),
                From = parseResult.GetValue(From),
                To = parseResult.GetValue(To),
            };
            // Ctrl-C/SIGTERM cancel this token (NetBetCommand gives the command time to finish): the run stops after
            // the batch being written and still prints its summary.
            await using var services = await CliHost.BuildServicesAsync(parseResult, cancellationToken, maintenance: true);
            return await ExecuteAsync(services, options, Console.Out, Console.Error, progress: CliHost.IsQuiet(parseResult) ? null : !Console.IsErrorRedirected, cancellationToken);
        });
    }

    public Option<int> BatchSize { get; } = new Option<int>("--batch-size")
    {
        Description = "Rows per batch (one transaction each; 1 to 100,000).",
        DefaultValueFactory = _ => BackfillOptions.DefaultBatchSize,
    }.Between(1, OptionRange.MaxBatchSize);

    public Option<long?> Limit { get; } = new("--limit") { Description = "Stop after this many candidate rows." };

    public Option<bool> DryRun { get; } = new("--dry-run") { Description = "Write nothing; report per column how many values would be filled, with sample rows." };

    public Option<string?> Columns { get; } = new("--columns") { Description = "Comma-separated metric columns to fill (default: every metric column)." };

    public Option<string?> Market { get; } = new("--market") { Description = "Only this market id." };

    public Option<DateTimeOffset?> From { get; } = new("--from") { Description = "Only snapshots taken at or after this time (ISO 8601)." };

    public Option<DateTimeOffset?> To { get; } = new("--to") { Description = "Only snapshots taken before this time (ISO 8601)." };

    public Option<bool> Verify { get; } = new("--verify") { Description = "Recompute stored (NOT NULL) values and report drift beyond 1e-9; writes nothing, exit 1 on drift." };

    /// <summary>
    /// Runs a backfill with services from <see cref="CliHost"/> (or any provider with <c>AddNetBetData</c> and
    /// logging), writing the report to <paramref name="stdout"/> and progress to <paramref name="stderr"/>.
    /// Returns the command's exit code. <c>netbet demo</c> calls this in-process.
    /// </summary>
    /// <param name="progress">True: a redrawn progress bar; false: one line per batch; null: no progress.</param>
    public static async Task<int> ExecuteAsync(
        IServiceProvider services,
        BackfillOptions options,
        TextWriter stdout,
        TextWriter stderr,
        bool? progress,
        CancellationToken cancellationToken)
    {
        var backfiller = ActivatorUtilities.CreateInstance<Backfiller>(services);
        var reporter = new BackfillProgressReporter(stderr, progress ?? false);
        BackfillResult result;
        try
        {
            result = await backfiller.RunAsync(options, progress is null ? null : reporter.Report, cancellationToken);
        }
        catch (UnknownColumnException e)
        {
            reporter.Complete();
            await stderr.WriteLineAsync($"netbet backfill: --columns: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled before the first batch (counting, opening connections): nothing was written.
            reporter.Complete();
            await stdout.WriteLineAsync(new BackfillResult { Columns = [] }.SummaryLine);
            return ExitCodes.Interrupted;
        }

        reporter.Complete();
        BackfillReport.Write(stdout, result, options);
        if (result.Interrupted)
        {
            return ExitCodes.Interrupted;
        }

        return result.Errors > 0 || result.DriftCount > 0 ? ExitCodes.Failed : ExitCodes.Success;
    }
}

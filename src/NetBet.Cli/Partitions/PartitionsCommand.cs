using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using NetBet.Cli.Audit;
using NetBet.Cli.Hosting;
using NetBet.Data.Partitions;

namespace NetBet.Cli.Partitions;

/// <summary><c>netbet partitions ensure|list</c>: the monthly partitions of the snapshot and derived tables.</summary>
internal sealed class PartitionsCommand : Command
{
    public PartitionsCommand()
        : base("partitions", """
            The monthly partitions of market_book_snapshots and market_derived_metrics (one per calendar month, UTC,
            named <table>_yYYYYmMM). Writers create a missing month themselves; create months ahead of time for
            bulk loads done in plain SQL, which fail on a month without a partition (there is no default partition).

            Examples:
              ./netbet partitions ensure --from 2024-01 --to 2024-12
              ./netbet partitions list
            """)
    {
        Subcommands.Add(new PartitionsEnsureCommand());
        Subcommands.Add(new PartitionsListCommand());
    }

    /// <summary>Parses a <c>YYYY-MM</c> option value, or reports the error naming the option.</summary>
    public static PartitionMonth? ParseMonth(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
        var month = PartitionMonth.TryParse(text, out var error);
        if (month is null)
        {
            var option = (result.Parent as OptionResult)?.Option.Name ?? "month";
            result.AddError($"{option}: {error}");
        }

        return month;
    }
}

/// <summary><c>netbet partitions ensure --from YYYY-MM --to YYYY-MM</c>.</summary>
internal sealed class PartitionsEnsureCommand : Command
{
    public PartitionsEnsureCommand()
        : base("ensure", """
            Create the partitions of every month from --from to --to (both included) that does not have them yet.
            Idempotent: months that exist are left alone. Prints one line per month: created or exists.

            Example:
              ./netbet partitions ensure --from 2024-01 --to 2024-12
            """)
    {
        Options.Add(From);
        Options.Add(To);
        SetAction(async (parseResult, cancellationToken) =>
        {
            var from = parseResult.GetValue(From)!.Value;
            var to = parseResult.GetValue(To)!.Value;
            if (from > to)
            {
                await Console.Error.WriteLineAsync($"netbet partitions ensure: --from {from} is after --to {to}");
                return ExitCodes.InvalidInput;
            }

            await using var services = await CliHost.BuildServicesAsync(parseResult, cancellationToken);
            var months = await ActivatorUtilities.CreateInstance<MonthPartitions>(services).EnsureRangeAsync(from, to, cancellationToken);
            foreach (var (month, created) in months)
            {
                await Console.Out.WriteLineAsync($"{month}  {(created ? "created" : "exists")}");
            }

            return ExitCodes.Success;
        });
    }

    public Option<PartitionMonth?> From { get; } = new("--from")
    {
        Description = "First month, YYYY-MM.",
        Required = true,
        CustomParser = PartitionsCommand.ParseMonth,
    };

    public Option<PartitionMonth?> To { get; } = new("--to")
    {
        Description = "Last month, YYYY-MM (included).",
        Required = true,
        CustomParser = PartitionsCommand.ParseMonth,
    };
}

/// <summary><c>netbet partitions list</c>.</summary>
internal sealed class PartitionsListCommand : Command
{
    public PartitionsListCommand()
        : base("list", """
            List every month that has partitions, oldest first, with its exact row counts (snapshots, derived rows)
            and its size on disk (both tables, with indexes and TOAST). Counting reads each month once.

            Example:
              ./netbet partitions list
            """)
    {
        SetAction(async (parseResult, cancellationToken) =>
        {
            await using var services = await CliHost.BuildServicesAsync(parseResult, cancellationToken);
            var months = await ActivatorUtilities.CreateInstance<MonthPartitions>(services).ListAsync(cancellationToken);
            if (months.Count == 0)
            {
                await Console.Out.WriteLineAsync("No month partitions yet.");
                return ExitCodes.Success;
            }

            var rows = months.Select(m => (IReadOnlyList<string>)[
                m.Month.ToString(),
                m.SnapshotRows.ToString("N0", CultureInfo.InvariantCulture),
                m.DerivedRows.ToString("N0", CultureInfo.InvariantCulture),
                FormatBytes(m.Bytes),
            ]).ToList();
            TextTable.Write(Console.Out, ["month", "snapshots", "derived", "size"], rows, rightAligned: [1, 2, 3]);
            return ExitCodes.Success;
        });
    }

    /// <summary>Bytes in binary units with one decimal, such as <c>1.5 GiB</c>.</summary>
    public static string FormatBytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var value = (double)bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:F1} {units[unit]}");
    }
}

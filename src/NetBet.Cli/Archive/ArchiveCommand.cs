using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using NetBet.Cli.Hosting;
using NetBet.Cli.Partitions;
using NetBet.Data.Archive;
using NetBet.Data.Partitions;

namespace NetBet.Cli.Archive;

/// <summary><c>netbet archive --before YYYY-MM --to DIR</c>: whole months to compressed files, then dropped.</summary>
internal sealed class ArchiveCommand : Command
{
    public ArchiveCommand()
        : base("archive", """
            Archive every whole month before --before: its snapshots with raw payloads, its derived rows and the
            metadata of its markets go to DIR/YYYY-MM/ as gzip-compressed binary COPY files with a manifest.json
            (columns, row counts, SHA-256). Each file is read back and checked before the month's partitions are
            detached and dropped, in one transaction per month that keeps writers out of that month meanwhile.
            The audit lists archived months; 'netbet restore' loads them back. Exit 0, 1 when a month failed.

            Example:
              ./netbet archive --before 2026-01 --to /srv/netbet-archive
            """)
    {
        Options.Add(Before);
        Options.Add(To);
        SetAction(async (parseResult, cancellationToken) =>
        {
            await using var services = await CliHost.BuildServicesAsync(parseResult, cancellationToken);
            var archiver = ActivatorUtilities.CreateInstance<MonthArchiver>(services);
            try
            {
                var months = await archiver.ArchiveAsync(
                    parseResult.GetValue(Before)!.Value,
                    parseResult.GetValue(To)!,
                    m => Console.Out.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"{m.Month}  archived {m.SnapshotRows:N0} snapshots, {m.DerivedRows:N0} derived rows, {m.MetadataRows:N0} markets to {m.Directory}")),
                    cancellationToken);
                await Console.Out.WriteLineAsync($"Archive complete: {months.Count} month(s)");
                return ExitCodes.Success;
            }
            catch (Exception e) when (e is ArchiveException or IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"netbet archive: {e.Message}");
                return ExitCodes.Failed;
            }
        });
    }

    public Option<PartitionMonth?> Before { get; } = new("--before")
    {
        Description = "The first month to keep, YYYY-MM; every older month is archived.",
        Required = true,
        CustomParser = PartitionsCommand.ParseMonth,
    };

    public Option<string> To { get; } = new("--to") { Description = "Directory to write the months to (created when missing).", Required = true };
}

using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using NetBet.Cli.Hosting;
using NetBet.Data.Archive;

namespace NetBet.Cli.Archive;

/// <summary><c>netbet restore DIR...</c>: archived months loaded back.</summary>
internal sealed class RestoreCommand : Command
{
    public RestoreCommand()
        : base("restore", """
            Load archived months back: each path is a month directory written by 'netbet archive' (with its
            manifest.json) or a directory of them. Every file is checked against the manifest's SHA-256 and row
            count before anything is loaded; the month's partitions are created again; rows already there are
            left alone, so restoring twice changes nothing. Exit 0, 1 when a month could not be restored.

            Examples:
              ./netbet restore /srv/netbet-archive/2025-01
              ./netbet restore /srv/netbet-archive
            """)
    {
        Arguments.Add(Paths);
        SetAction(async (parseResult, cancellationToken) =>
        {
            await using var services = await CliHost.BuildServicesAsync(parseResult, cancellationToken);
            var archiver = ActivatorUtilities.CreateInstance<MonthArchiver>(services);
            var count = 0;
            try
            {
                foreach (var path in parseResult.GetValue(Paths)!)
                {
                    count += (await archiver.RestoreAsync(
                        path,
                        m => Console.Out.WriteLine(string.Create(
                            CultureInfo.InvariantCulture,
                            $"{m.Month}  restored {m.SnapshotRows:N0} of {m.ArchivedSnapshotRows:N0} snapshots (the rest were there), {m.DerivedRows:N0} derived rows, {m.MetadataRows:N0} markets")),
                        cancellationToken)).Count;
                }
            }
            catch (Exception e) when (e is ArchiveException or IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"netbet restore: {e.Message}");
                return ExitCodes.Failed;
            }

            await Console.Out.WriteLineAsync($"Restore complete: {count} month(s)");
            return ExitCodes.Success;
        });
    }

    public Argument<string[]> Paths { get; } = new("path") { Description = "Month directories, or directories of them.", Arity = ArgumentArity.OneOrMore };
}

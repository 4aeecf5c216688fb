using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using NetBet.Cli.Hosting;
using NetBet.Data.Migrations;

namespace NetBet.Cli.Database;

/// <summary><c>netbet migrate status</c>: lists every migration, applied or pending.</summary>
internal sealed class MigrateStatusCommand : Command
{
    public MigrateStatusCommand()
        : base("status", """
            List every migration this build knows, one line each: id, applied or pending, when it was applied (UTC)
            and the first 12 hex digits of its checksum. Changes nothing. Exit 1 when the history cannot be reconciled
            (a changed script or an unknown applied id), naming the migration. A pending migration that sorts before
            the newest applied one is marked "out of order": 'netbet migrate' applies it only with --allow-out-of-order.

            Example:
              ./netbet migrate status
            """)
    {
        SetAction(async (parseResult, cancellationToken) =>
        {
            await using var services = await CliHost.BuildServicesAsync(parseResult, cancellationToken);
            IReadOnlyList<MigrationStatus> status;
            try
            {
                status = await services.GetRequiredService<MigrationRunner>().GetStatusAsync(cancellationToken);
            }
            catch (MigrationException e)
            {
                await Console.Error.WriteLineAsync($"netbet migrate status: {e.Message}");
                return ExitCodes.Failed;
            }

            var width = status.Max(s => s.Migration.Id.Length);
            var outOfOrder = MigrationRunner.OutOfOrder(status);
            foreach (var entry in status)
            {
                await Console.Out.WriteLineAsync(entry.Describe(width) + (outOfOrder.Contains(entry.Migration.Id) ? "  out of order" : ""));
            }

            return ExitCodes.Success;
        });
    }
}

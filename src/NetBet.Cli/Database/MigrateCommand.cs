using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using NetBet.Cli.Hosting;
using NetBet.Data.Migrations;

namespace NetBet.Cli.Database;

/// <summary><c>netbet migrate [--to ID] [--dry-run] [--lock-timeout D] [--allow-out-of-order]</c>: applies the pending schema migrations.</summary>
internal sealed class MigrateCommand : Command
{
    public MigrateCommand()
        : base("migrate", """
            Apply the pending schema migrations in order, each in its own transaction, recording each with its checksum
            in schema_migrations. Safe to run concurrently (an advisory lock makes the second run wait). Refuses to run
            when an applied migration's script changed or the database knows a migration this build does not, and
            (unless --allow-out-of-order) when a pending migration sorts before the newest applied one.
            Each migration waits at most --lock-timeout for a table lock, so it never holds the poller's inserts queued
            behind it for longer; it is then rolled back and retried (5 attempts, backoff from 1 s).
            Progress goes to stderr. Exit 1 when the history cannot be reconciled or a migration fails (its lock
            timeout included, after the retries); 2 on bad arguments.

            Example:
              ./netbet migrate
              ./netbet migrate --to 2026-02-06_base_schema
              ./netbet migrate --dry-run
              ./netbet migrate --lock-timeout 2s
            """)
    {
        Options.Add(To);
        Options.Add(DryRun);
        Options.Add(LockTimeout);
        Options.Add(AllowOutOfOrder);
        Subcommands.Add(new MigrateStatusCommand());
        SetAction((parseResult, cancellationToken) => RunAsync(
            parseResult,
            parseResult.GetValue(To),
            parseResult.GetValue(DryRun),
            new MigrationOptions { LockTimeout = parseResult.GetValue(LockTimeout), AllowOutOfOrder = parseResult.GetValue(AllowOutOfOrder) },
            Console.Out,
            Console.Error,
            cancellationToken));
    }

    public Option<string?> To { get; } = new("--to")
    {
        Description = "Apply pending migrations up to and including this id (see 'netbet migrate status').",
        HelpName = "id",
    };

    public Option<bool> DryRun { get; } = new("--dry-run") { Description = "Print what would be applied; change nothing." };

    public Option<TimeSpan> LockTimeout { get; } = Durations.CreateOption(
        "--lock-timeout",
        "Longest wait of one migration for a table lock before it is rolled back and retried",
        MigrationOptions.DefaultLockTimeout,
        TimeSpan.FromMilliseconds(1),
        TimeSpan.FromHours(1));

    public Option<bool> AllowOutOfOrder { get; } = new("--allow-out-of-order")
    {
        Description = "Also apply pending migrations that sort before the newest applied one (review them first).",
    };

    /// <summary>Runs a migration and reports it. <c>netbet demo</c> may call this in-process.</summary>
    public static async Task<int> RunAsync(
        ParseResult parseResult,
        string? targetId,
        bool dryRun,
        MigrationOptions options,
        TextWriter stdout,
        TextWriter stderr,
        CancellationToken cancellationToken)
    {
        if (targetId is not null && MigrationCatalog.Find(targetId) is null)
        {
            await stderr.WriteLineAsync(
                $"netbet migrate: --to: unknown migration id '{targetId}'; valid ids: {string.Join(", ", MigrationCatalog.All.Select(m => m.Id))}");
            return ExitCodes.InvalidInput;
        }

        var quiet = CliHost.IsQuiet(parseResult);
        await using var services = await CliHost.BuildServicesAsync(parseResult, cancellationToken);
        var runner = services.GetRequiredService<MigrationRunner>();
        MigrationReport report;
        try
        {
            report = await runner.MigrateAsync(
                targetId,
                dryRun,
                options,
                applied =>
                {
                    if (!quiet)
                    {
                        var retried = applied.Attempts > 1 ? $", attempt {applied.Attempts} after lock timeouts" : "";
                        stderr.WriteLine($"applied {applied.Migration.Id} ({applied.ExecutionMs} ms{retried})");
                    }
                },
                cancellationToken);
        }
        catch (MigrationException e)
        {
            await stderr.WriteLineAsync($"netbet migrate: {e.Message}");
            return ExitCodes.Failed;
        }

        var width = report.Before.Max(s => s.Migration.Id.Length);
        if (dryRun)
        {
            var planned = report.Planned.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var status in report.Before)
            {
                await stdout.WriteLineAsync(status.Describe(width) + (planned.Contains(status.Migration.Id) ? "  would apply" : ""));
            }

            await stderr.WriteLineAsync($"dry run: {report.Planned.Count} migration(s) would be applied; nothing was changed");
            return ExitCodes.Success;
        }

        if (!quiet)
        {
            var current = report.Before.Where(s => s.IsApplied).Select(s => s.Migration.Id).Concat(report.Applied.Select(a => a.Migration.Id)).Max(StringComparer.Ordinal);
            var pending = report.Before.Count(s => !s.IsApplied) - report.Applied.Count;
            await stderr.WriteLineAsync(
                (report.Applied.Count == 0 ? "nothing to apply" : $"applied {report.Applied.Count} migration(s)") +
                $"; database at {current ?? "(empty)"}" + (pending > 0 ? $", {pending} pending" : ", up to date"));
        }

        return ExitCodes.Success;
    }
}

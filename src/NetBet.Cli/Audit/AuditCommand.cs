using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using NetBet.Cli.Hosting;
using NetBet.Data.Audit;

namespace NetBet.Cli.Audit;

/// <summary><c>netbet audit</c>: inventory, payload availability, NULLs, eligibility tiers and the backfill plan.</summary>
internal sealed class AuditCommand : Command
{
    public AuditCommand()
        : base("audit", """
            Audit the metric tables: A) inventory, B) raw payload availability, C) NULL count and % per metric
            column, D) eligibility tier per column (A: every NULL recomputable from raw payload + roles, B: some,
            C: none, -: nothing NULL), E) what a backfill would update and skip now, by reason.
            Computed inside PostgreSQL in two passes over the tables; payloads never leave the server.

            Examples:
              ./netbet audit
              ./netbet audit --json | jq '.columns[] | select(.tier != "-")'
              ./netbet audit --markdown audit.md
            """)
    {
        Options.Add(Json);
        Options.Add(Markdown);
        SetAction(async (parseResult, cancellationToken) =>
        {
            await using var services = await CliHost.BuildServicesAsync(parseResult, cancellationToken, maintenance: true);
            return await ExecuteAsync(services, parseResult.GetValue(Json), parseResult.GetValue(Markdown), Console.Out, cancellationToken);
        });
    }

    public Option<bool> Json { get; } = new("--json") { Description = "Print one JSON object instead of the table." };

    public Option<string?> Markdown { get; } = new("--markdown") { Description = "Also write the report as markdown to this file." };

    /// <summary>Runs the audit and prints it; <c>netbet demo</c> calls this in-process. Returns the exit code.</summary>
    public static async Task<int> ExecuteAsync(IServiceProvider services, bool json, string? markdownPath, TextWriter stdout, CancellationToken cancellationToken)
    {
        var report = await ActivatorUtilities.CreateInstance<Auditor>(services).RunAsync(cancellationToken);
        if (json)
        {
            using var buffer = new MemoryStream();
            AuditReportFormat.WriteJson(buffer, report);
            await stdout.WriteAsync(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        }
        else
        {
            AuditReportFormat.WriteTable(stdout, report);
        }

        if (markdownPath is not null)
        {
            try
            {
                await using var file = new StreamWriter(markdownPath);
                AuditReportFormat.WriteMarkdown(file, report);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"netbet audit: --markdown: cannot write {markdownPath}: {e.Message}");
                return ExitCodes.InvalidInput;
            }
        }

        await stdout.FlushAsync(cancellationToken);
        return ExitCodes.Success;
    }
}

using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using NetBet.Cli.Audit;
using NetBet.Cli.Hosting;
using NetBet.Data.Audit;

namespace NetBet.Cli.SpotCheck;

/// <summary><c>netbet spot-check</c>: the newest (or oldest) derived rows with L1 sizes and VWAP stakes per outcome.</summary>
internal sealed class SpotCheckCommand : Command
{
    public SpotCheckCommand()
        : base("spot-check", """
            Show the newest (or oldest) derived rows: snapshot time, market, and per outcome (home, away, draw) the
            L1 back/lay sizes and the back/lay stakes, "—" for NULL. A quick look after a backfill.

            Examples:
              ./netbet spot-check
              ./netbet spot-check --limit 20 --oldest --market 1.216395251
            """)
    {
        Options.Add(Limit);
        Options.Add(Oldest);
        Options.Add(Market);
        Limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--limit must be at least 1");
            }
        });
        SetAction(async (parseResult, cancellationToken) =>
        {
            await using var services = await CliHost.BuildServicesAsync(parseResult, cancellationToken, maintenance: true);
            return await ExecuteAsync(services, parseResult.GetValue(Limit), parseResult.GetValue(Oldest), parseResult.GetValue(Market), Console.Out, cancellationToken);
        });
    }

    public Option<int> Limit { get; } = new("--limit") { Description = "Rows to show.", DefaultValueFactory = _ => 5 };

    public Option<bool> Oldest { get; } = new("--oldest") { Description = "Oldest rows instead of newest." };

    public Option<string?> Market { get; } = new("--market") { Description = "Only this market id." };

    /// <summary>Prints the rows; <c>netbet demo</c> calls this in-process. Returns the exit code.</summary>
    public static async Task<int> ExecuteAsync(IServiceProvider services, int limit, bool oldest, string? marketId, TextWriter stdout, CancellationToken cancellationToken)
    {
        var rows = await ActivatorUtilities.CreateInstance<Data.Audit.SpotCheck>(services).RunAsync(limit, oldest, marketId, cancellationToken);
        if (rows.Count == 0)
        {
            await stdout.WriteLineAsync("No derived rows" + (marketId is null ? "." : $" for market {marketId}."));
            return ExitCodes.Success;
        }

        string[] outcomes = ["home", "away", "draw"];
        string[] metrics = ["back_l1", "lay_l1", "back_stake", "lay_stake"];
        var header = new List<string> { "snapshot_at", "market" };
        header.AddRange(outcomes.SelectMany(o => metrics.Select(m => $"{o}_{m}")));
        var table = rows.Select(r => (IReadOnlyList<string>)[
            r.SnapshotAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            r.MarketId,
            .. r.Values.SelectMany(outcome => outcome.Select(v => v is { } x ? x.ToString("0.00", CultureInfo.InvariantCulture) : TextTable.Missing)),
        ]).ToList();
        TextTable.Write(stdout, header, table, rightAligned: [.. Enumerable.Range(2, header.Count - 2)]);
        await stdout.FlushAsync(cancellationToken);
        return ExitCodes.Success;
    }
}

using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetBet.Cli.Audit;
using NetBet.Cli.Backfill;
using NetBet.Cli.Hosting;
using NetBet.Cli.SpotCheck;
using NetBet.Core.Metrics;
using NetBet.Data;
using NetBet.Data.Audit;
using NetBet.Data.Backfill;
using NetBet.Data.Cluster;
using NetBet.Data.Migrations;
using NetBet.Data.Snapshots;
using NetBet.Data.State;
using Npgsql;

namespace NetBet.Cli.Demo;

/// <summary>
/// <c>netbet demo</c>: the seed plan in one command, on a fresh <c>netbet_demo</c> database: an old schema records
/// history, the new columns arrive NULL, the audit finds them reconstructable, the backfill fills them, the audit
/// and a spot-check prove it, and the UI shows it.
/// </summary>
internal sealed class DemoCommand : Command
{
    public const string DatabaseName = "netbet_demo";
    public const string BaseSchema = "2026-02-06_base_schema";

    public DemoCommand()
        : base("demo", """
            Run the whole story with no credentials: start the private PostgreSQL (or use NETBET_DB's server), create a
            fresh database netbet_demo, migrate it to the base schema, record a few hours of simulated football
            markets from the fake exchange through the real poller, migrate forward (18 new metric columns arrive
            NULL), audit (100% NULL, tier A), backfill from the raw payloads, audit again (0% NULL), verify against
            the engine, spot-check, then serve the UI and print its URL.

            Examples:
              ./netbet demo
              ./netbet demo --no-serve
              ./netbet demo --markets 80 --urls http://127.0.0.1:8080
            """)
    {
        Options.Add(NoServe);
        Options.Add(Markets);
        Options.Add(MinSnapshots);
        Options.Add(Seed);
        Options.Add(Urls);
        SetAction(RunAsync);
    }

    public Option<bool> NoServe { get; } = new("--no-serve") { Description = "Stop after the spot-check and exit 0." };

    public Option<int> Markets { get; } = new("--markets")
    {
        Description = "Simulated football markets (at least 50).",
        DefaultValueFactory = _ => 60,
    };

    public Option<int> MinSnapshots { get; } = new("--snapshots")
    {
        Description = "Poll until at least this many snapshots are recorded.",
        DefaultValueFactory = _ => 10_000,
    };

    public Option<int> Seed { get; } = new("--seed") { Description = "Simulator seed.", DefaultValueFactory = _ => 2026 };

    public Option<string> Urls { get; } = new("--urls")
    {
        Description = "Where the UI listens.",
        DefaultValueFactory = _ => "http://127.0.0.1:8000",
    };

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var markets = parseResult.GetValue(Markets);
        var minSnapshots = parseResult.GetValue(MinSnapshots);
        if (markets < 1 || minSnapshots < 1)
        {
            await Console.Error.WriteLineAsync("netbet demo: --markets and --snapshots must be positive");
            return ExitCodes.InvalidInput;
        }

        var output = Console.Out;
        using var loggers = CliHost.CreateLoggerFactory(parseResult);

        // 1. A fresh database on the private cluster (or on NETBET_DB's server).
        var serverConnection = await NetBetDatabase.ResolveConnectionStringAsync(loggers.CreateLogger("NetBet.Cli.Demo"), cancellationToken);
        var demoConnection = await PostgresCluster.RecreateDatabaseAsync(serverConnection, DatabaseName, cancellationToken);
        var privateCluster = IsPrivateCluster(); // asked before NETBET_DB is pointed at the demo database below
        var where = privateCluster ? "the private cluster in " + PostgresCluster.ResolveHome() : "NETBET_DB's server";
        Environment.SetEnvironmentVariable(NetBetDatabase.ConnectionStringVariable, demoConnection);
        await Step(output, "database", $"fresh database {NetBetDatabase.Describe(demoConnection)} ({where})");

        await using var services = await CliHost.BuildServicesAsync(parseResult, cancellationToken);
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        var migrations = services.GetRequiredService<MigrationRunner>();

        // 2. The schema as it was when history started: no VWAP inputs, no L1 sizes.
        var baseReport = await migrations.MigrateAsync(BaseSchema, dryRun: false, onApplied: null, cancellationToken);
        IReadOnlyList<string> existing;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            existing = await MetricSchema.ExistingMetricColumnsAsync(connection, cancellationToken);
        }

        await Step(output, "migrate", $"to {BaseSchema}: {baseReport.Applied.Count} migration applied; market_derived_metrics has {existing.Count} of {MetricColumns.Count} metric columns");

        // 3. Record history from the fake exchange through the real poller, over real HTTP.
        await using var exchange = await DemoExchange.StartAsync(services, loggers, markets, parseResult.GetValue(Seed), cancellationToken);
        await Step(output, "exchange", $"fake API-NG exchange at {exchange.BaseUrl} with {markets} football MATCH_ODDS markets");
        var from = exchange.Clock.GetUtcNow();
        await exchange.RecordAsync(minSnapshots, cancellationToken);
        var counts = new SnapshotCounts(dataSource);
        var snapshots = (await counts.GetTotalsAsync(cancellationToken)).Snapshots;
        var marketsRecorded = await counts.CountMarketsAsync(cancellationToken);
        await Step(output, "poll", $"recorded {snapshots:N0} snapshots of {marketsRecorded} markets from {from:yyyy-MM-dd HH:mm} to {exchange.Clock.GetUtcNow().AddMinutes(-1):HH:mm} UTC (one tick a simulated minute, old schema)");

        // 4. The two seed migrations add 18 columns: NULL for every recorded row.
        var forward = await migrations.MigrateAsync(targetId: null, dryRun: false, onApplied: null, cancellationToken);
        await Step(output, "migrate", $"forward: {string.Join(", ", forward.Applied.Select(a => a.Migration.Id))}");

        // New snapshots arrive complete: ingestion writes the new columns from now on (a running poller notices
        // new columns within a minute; this one is told at once).
        services.GetRequiredService<SnapshotWriter>().RefreshSchema();
        var fresh = await exchange.TickAsync(cancellationToken);
        await Step(output, "poll", $"one tick on the new schema: {fresh.SnapshotsInserted} snapshots stored with all {MetricColumns.Count} metric columns computed, tick time recorded for /api/health");
        await Step(output, "stream", await DemoStream.RunAsync(exchange, services, minutes: 5, cancellationToken));

        // 5. Audit: the 18 columns are 100% NULL and every NULL is reconstructable from the raw payload (tier A).
        var demoHome = Path.Combine(PostgresCluster.ResolveHome(), "demo");
        Directory.CreateDirectory(demoHome);
        var before = await AuditAsync(services, Path.Combine(demoHome, "audit-before.md"), cancellationToken);
        var newBefore = before.Columns.Where(c => MetricSchema.AddedAfterBaseSchema.Contains(c.Name)).ToList();
        var historyNull = newBefore.Count == 0 ? 0 : newBefore.Min(c => c.NullCount);
        await Step(output, "audit", $"the {newBefore.Count} new columns are NULL for {(historyNull == snapshots ? "all " : "")}{historyNull:N0} of the {snapshots:N0} rows recorded before the migration (NULL {Range(newBefore.Select(c => c.NullPct))} of all rows), tier {string.Join("/", newBefore.Select(c => c.Tier).Distinct())}; a backfill would update {before.WouldUpdate:N0} rows (report: {Path.Combine(demoHome, "audit-before.md")})");

        // 6. Backfill from the raw payloads with the ingestion engine.
        var backfillExit = await BackfillCommand.ExecuteAsync(
            services, new BackfillOptions(), output, Console.Error, progress: !Console.IsErrorRedirected, cancellationToken);
        if (backfillExit != ExitCodes.Success)
        {
            await Console.Error.WriteLineAsync($"netbet demo: the backfill did not complete cleanly (exit {backfillExit})");
            return backfillExit;
        }

        // 7. Audit again, then verify stored values against the engine.
        var after = await AuditAsync(services, Path.Combine(demoHome, "audit-after.md"), cancellationToken);
        var newAfter = after.Columns.Where(c => MetricSchema.AddedAfterBaseSchema.Contains(c.Name)).ToList();
        await Step(output, "audit", $"after backfill: the {newAfter.Count} new columns are NULL {Range(newAfter.Select(c => c.NullPct))}; skipped rows left: {after.WouldSkip:N0} (report: {Path.Combine(demoHome, "audit-after.md")})");

        var verify = await ActivatorUtilities.CreateInstance<Backfiller>(services)
            .RunAsync(new BackfillOptions { Verify = true, BatchSize = 2000 }, null, cancellationToken);
        await Step(output, "verify", $"recomputed {verify.Compared:N0} stored values from raw payloads: {verify.DriftCount} differ from the engine");

        // 8. The seed's step 4: the latest rows show real values.
        await Step(output, "spot-check", "the newest rows now carry L1 sizes and VWAP stakes:");
        await SpotCheckCommand.ExecuteAsync(services, 5, oldest: false, marketId: null, output, cancellationToken);
        if (verify.DriftCount > 0 || newAfter.Any(c => c.NullCount > after.WouldSkip))
        {
            await Console.Error.WriteLineAsync("netbet demo: the backfilled values do not match the engine");
            return ExitCodes.Failed;
        }

        if (parseResult.GetValue(NoServe))
        {
            await Step(output, "done", $"the demo database stays in {NetBetDatabase.Describe(demoConnection)}; run './netbet demo' without --no-serve to browse it");
            return ExitCodes.Success;
        }

        await exchange.DisposeAsync();
        await services.DisposeAsync();

        // The UI reads as `netbet serve` does: on the private cluster as its read-only login (netbet_reader), never
        // as the superuser that built the demo; on NETBET_DB's server as that login, read-only by session setting.
        string readConnection;
        if (privateCluster)
        {
            var cluster = PostgresCluster.ForNetBetHome(home: null, loggers.CreateLogger("NetBet.Cli.Demo"));
            readConnection = await cluster.EnsureReaderConnectionStringAsync(DatabaseName, cancellationToken);
        }
        else
        {
            await Console.Error.WriteLineAsync($"netbet demo: warning: {ReadDatabase.SessionSettingOnlyWarning}");
            readConnection = demoConnection;
        }

        return await DemoServer.ServeAsync(readConnection, parseResult.GetValue(Urls)!, output, cancellationToken);
    }

    private static async Task<AuditReport> AuditAsync(IServiceProvider services, string markdownPath, CancellationToken cancellationToken)
    {
        var report = await ActivatorUtilities.CreateInstance<Auditor>(services).RunAsync(cancellationToken);
        await using var writer = new StreamWriter(markdownPath);
        AuditReportFormat.WriteMarkdown(writer, report);
        return report;
    }

    private static bool IsPrivateCluster() =>
        string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(NetBetDatabase.ConnectionStringVariable));

    private static string Range(IEnumerable<double> percentages)
    {
        var list = percentages.ToList();
        if (list.Count == 0)
        {
            return "n/a";
        }

        var (min, max) = (list.Min(), list.Max());
        return min == max
            ? string.Create(CultureInfo.InvariantCulture, $"{min:0.##}%")
            : string.Create(CultureInfo.InvariantCulture, $"{min:0.##}-{max:0.##}%");
    }

    private static Task Step(TextWriter output, string name, string message) =>
        output.WriteLineAsync($"[demo] {name,-10} {message}");
}

using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NetBet.Cli.Hosting;
using NetBet.Data;
using NetBet.Data.Migrations;
using NetBet.Data.State;
using NetBet.Ingest.Polling;
using NetBet.Ingest.Streaming;
using Npgsql;

namespace NetBet.Cli.Status;

/// <summary><c>netbet status</c>: is the database there, how far is it migrated, what has been stored and polled.</summary>
internal sealed class StatusCommand : Command
{
    // Exact counts: status is run by hand, and the demo's tables are small. 42P01 (no table) means "not migrated".
    private const string SnapshotsSql = "select count(*), max(snapshot_at) from market_book_snapshots";

    public StatusCommand()
        : base("status", """
            Show the database (reachable, schema version, pending migrations), the stored snapshots (count, newest)
            and the poller's last successful tick. Exit 0 when the database is reachable, 3 when it is not.

            Example:
              ./netbet status
            """)
    {
        SetAction(async (parseResult, cancellationToken) =>
        {
            await using var services = await CliHost.BuildServicesAsync(parseResult, cancellationToken);
            return await ExecuteAsync(services, Console.Out, cancellationToken);
        });
    }

    /// <summary>Writes the status lines to <paramref name="stdout"/>; <c>netbet demo</c> may call this in-process.</summary>
    public static async Task<int> ExecuteAsync(IServiceProvider services, TextWriter stdout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(stdout);
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        await stdout.WriteLineAsync($"Database:       reachable ({NetBetDatabase.Describe(dataSource.ConnectionString)})");

        try
        {
            var migrations = await services.GetRequiredService<MigrationRunner>().GetStatusAsync(cancellationToken);
            var applied = migrations.Where(m => m.IsApplied).ToList();
            var pending = migrations.Count - applied.Count;
            var version = applied.Count == 0 ? "empty (run 'netbet migrate')" : applied[^1].Migration.Id;
            await stdout.WriteLineAsync(Invariant($"Schema version: {version} ({applied.Count} of {migrations.Count} migrations applied{(pending > 0 ? $", {pending} pending" : "")})"));
        }
        catch (MigrationException e)
        {
            await stdout.WriteLineAsync($"Schema version: unknown: {e.Message}");
        }

        try
        {
            await using var command = dataSource.CreateCommand(SnapshotsSql);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var count = reader.GetInt64(0);
            var newest = reader.IsDBNull(1) ? "none" : Format(reader.GetFieldValue<DateTimeOffset>(1));
            await stdout.WriteLineAsync(Invariant($"Snapshots:      {count:N0}, newest {newest}"));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            await stdout.WriteLineAsync("Snapshots:      no snapshot table (run 'netbet migrate')");
        }

        await stdout.WriteLineAsync($"Last poll tick: {await LastPollTickAsync(services.GetRequiredService<ServiceState>(), cancellationToken)}");
        await stdout.WriteLineAsync($"Last stream:    {await LastStreamMessageAsync(services.GetRequiredService<ServiceState>(), cancellationToken)}");
        return ExitCodes.Success;
    }

    private static async Task<string> LastPollTickAsync(ServiceState state, CancellationToken cancellationToken)
    {
        ServiceStateEntry? entry;
        try
        {
            entry = await state.GetEntryAsync(PollTickState.Key, cancellationToken);
        }
        catch (SchemaNotReadyException)
        {
            return "unknown (no service_state table: run 'netbet migrate')";
        }

        if (entry is null)
        {
            return "never";
        }

        PollTickState? tick = null;
        try
        {
            tick = entry.Value is { } json ? JsonSerializer.Deserialize<PollTickState>(json, JsonSerializerOptions.Web) : null;
        }
        catch (JsonException)
        {
            // Written by another version: the row's own time still says when the poller last succeeded.
        }

        return tick is null
            ? $"recorded {Format(entry.UpdatedAt)}"
            : Invariant($"{Format(tick.At)}: {tick.Markets} markets, {tick.Snapshots} snapshots stored (recorded {Format(entry.UpdatedAt)})");
    }

    private static async Task<string> LastStreamMessageAsync(ServiceState state, CancellationToken cancellationToken)
    {
        StreamRecorderState? stream;
        try
        {
            stream = await state.GetAsync<StreamRecorderState>(StreamRecorderState.Key, cancellationToken);
        }
        catch (SchemaNotReadyException)
        {
            return "unknown (no service_state table: run 'netbet migrate')";
        }
        catch (JsonException)
        {
            return "unreadable (written by another version)";
        }

        return stream is null ? "never"
            : Invariant($"{(stream.LastMessageAt is { } at ? Format(at) : "none")}, pt {(stream.LastPublishTime is { } pt ? Format(pt) : "none")}, clk {stream.Clk ?? "none"} ({stream.Snapshots} snapshots, {stream.Reconnects} reconnects in that run)");
    }

    private static string Format(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

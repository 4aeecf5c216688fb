using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NetBet.Cli.Hosting;
using NetBet.Data;
using NetBet.Data.Migrations;
using NetBet.Data.Replication;
using NetBet.Data.State;
using NetBet.Ingest.Polling;
using NetBet.Ingest.Streaming;
using Npgsql;

namespace NetBet.Cli.Status;

/// <summary><c>netbet status</c>: is the database there, how far is it migrated, what has been stored and polled.</summary>
internal sealed class StatusCommand : Command
{
    public StatusCommand()
        : base("status", """
            Show the database (reachable, schema version, pending migrations), the stored snapshots (count, newest)
            the poller's last successful tick and the ticks waiting in its spool, the stream recorder's last message and
            the batches waiting in its spool. Exit 0 when the database is reachable, 3 when it is not.

            Example:
              ./netbet status
            """)
    {
        Options.Add(Spool);
        Options.Add(StreamSpool);
        SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                await using var services = await CliHost.BuildServicesAsync(parseResult, cancellationToken);
                return await ExecuteAsync(services, Console.Out, cancellationToken);
            }
            finally
            {
                // Also, and above all, when the database is down: that is when the poller's spool fills.
                await Console.Out.WriteLineAsync($"Poll spool:     {Ingest.PollSpoolStatus.Describe(parseResult.GetValue(Spool))}");
                await Console.Out.WriteLineAsync($"Stream spool:   {Ingest.PollSpoolStatus.DescribeStream(parseResult.GetValue(StreamSpool))}");
            }
        });
    }

    public Option<string?> Spool { get; } = Ingest.PollCommand.CreateSpoolOption();

    public Option<string?> StreamSpool { get; } = new("--stream-spool")
    {
        Description = "Directory of 'ingest stream's spool (default: $NETBET_HOME/spool/stream).",
        HelpName = "dir",
    };

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
            // Exact counts: status is run by hand.
            var totals = await new SnapshotCounts(dataSource).GetTotalsAsync(cancellationToken);
            var newest = totals.Newest is { } at ? Format(at) : "none";
            await stdout.WriteLineAsync(Invariant($"Snapshots:      {totals.Snapshots:N0}, newest {newest}"));
        }
        catch (SchemaNotReadyException)
        {
            await stdout.WriteLineAsync("Snapshots:      no snapshot table (run 'netbet migrate')");
        }

        await stdout.WriteLineAsync($"Last poll tick: {await LastPollTickAsync(services.GetRequiredService<ServiceState>(), cancellationToken)}");
        if (Environment.GetEnvironmentVariable(ReadDatabase.ConnectionStringVariable) is { Length: > 0 } read)
        {
            await stdout.WriteLineAsync($"Read database:  {await ReadReplicaStatus.DescribeAsync(read, cancellationToken)}");
        }
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

using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Core.Metrics;
using NetBet.Core.Stream;
using NetBet.Data.Snapshots;
using NetBet.Data.State;
using NetBet.Ingest.Streaming;
using Npgsql;

namespace NetBet.Cli.Demo;

/// <summary>
/// The demo's stream step: the real stream client over TLS against the fake exchange's stream, recording a few
/// simulated minutes on a 30 s grid while the poller keeps polling each minute. A snapshot is keyed by market and
/// time, so the streamed ones at the polled instants are duplicates of those already stored; the ones at the half
/// minutes sit between them. The simulated book only changes on the minute, so each half-minute snapshot must have
/// the derived row of the poll 30 s before it: the check that both paths store the same books.
/// </summary>
internal static class DemoStream
{
    public static async Task<string> RunAsync(DemoExchange exchange, IServiceProvider services, int minutes, CancellationToken cancellationToken)
    {
        var caPath = Path.Combine(Path.GetTempPath(), $"netbet-demo-stream-ca-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(caPath, exchange.Simulator.StreamCertificatePem, cancellationToken);
        try
        {
            var options = new StreamOptions
            {
                Host = "127.0.0.1",
                Port = exchange.Simulator.StreamPort!.Value,
                ExtraCaPath = caPath,
                HeartbeatMs = 500,
            };
            var cache = new StreamCache();
            using var recorder = new StreamRecorder(cache, TimeSpan.FromSeconds(30), recording: null);
            var client = new ExchangeStreamClient(options, exchange.Client, cache, recorder, NullLogger<ExchangeStreamClient>.Instance);
            var store = new StreamSnapshotStore(services.GetRequiredService<SnapshotWriter>(), services.GetRequiredService<ServiceState>(),
                exchange.Client, NullLogger<StreamSnapshotStore>.Instance);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

            // The fake stream publishes once a real second; let it catch up with the demo clock before subscribing.
            await Task.Delay(TimeSpan.FromSeconds(1.5), cancellationToken);
            var running = client.RunAsync(stop.Token);
            var storing = store.RunAsync(recorder, client, CancellationToken.None);
            var from = exchange.Clock.GetUtcNow();
            await WaitForAsync(client, from, null, cancellationToken);
            for (var minute = 0; minute < minutes; minute++)
            {
                var clk = client.Counters.Clk;
                await exchange.TickAsync(cancellationToken);
                await WaitForAsync(client, exchange.Clock.GetUtcNow(), clk, cancellationToken);
            }

            // Just past the last minute, so its grid point is due.
            exchange.Clock.Advance(TimeSpan.FromMilliseconds(1));
            await WaitForAsync(client, exchange.Clock.GetUtcNow(), null, cancellationToken);
            await stop.CancelAsync();
            await running;
            recorder.Complete();
            await storing;

            var (pairs, equal) = await CompareAsync(services.GetRequiredService<NpgsqlDataSource>(), from, cancellationToken);
            return string.Create(CultureInfo.InvariantCulture,
                $"streamed {minutes} simulated minutes over TLS from the fake Exchange Stream API on a 30 s grid: {store.Inserted:N0} snapshots of {recorder.Markets} markets stored between the polls (source exchange_stream, clk {client.Counters.Clk}), {store.Duplicates:N0} at polled instants already stored; {equal:N0} of {pairs:N0} half-minute books have the derived row of the poll 30 s before");
        }
        finally
        {
            File.Delete(caPath);
        }
    }

    // Until a message stamped at or after time arrived and, when changedFrom is given, the minute's change (a new clk).
    private static async Task WaitForAsync(ExchangeStreamClient client, DateTimeOffset time, string? changedFrom, CancellationToken cancellationToken)
    {
        var target = time.ToUnixTimeMilliseconds();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (client.Counters.LastPublishTime < target || (changedFrom is not null && client.Counters.Clk == changedFrom))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the fake stream sent nothing for 30 s");
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    // Streamed half-minute snapshots with a poll of the same market 30 s before, and how many have its derived row.
    private static async Task<(long Pairs, long Equal)> CompareAsync(NpgsqlDataSource dataSource, DateTimeOffset from, CancellationToken cancellationToken)
    {
        var same = string.Join(" and ", MetricColumns.Names.Where(c => c != "calculation_version" && c != "depth_limit" && c != "market_id")
            .Select(c => $"(p.{c} is null and s.{c} is null or abs(p.{c} - s.{c}) <= 1e-6)"));
        var sql = $"""
            select count(*), count(*) filter (where {same})
            from market_book_snapshots ps
            join market_book_snapshots ss on ss.market_id = ps.market_id and ss.snapshot_at = ps.snapshot_at + interval '30 seconds'
                and ss.source = 'exchange_stream'
            join market_derived_metrics p on p.snapshot_id = ps.snapshot_id
            join market_derived_metrics s on s.snapshot_id = ss.snapshot_id
            where ps.source = 'rest_listMarketBook' and ps.snapshot_at >= @from
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(sql, new { from }, cancellationToken: cancellationToken));
    }
}

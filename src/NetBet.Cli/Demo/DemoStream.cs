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
/// simulated minutes (grid of 60 s) while the poller keeps polling the same minutes, then a check that every market
/// polled and streamed at the same instant has the same derived row.
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
            using var recorder = new StreamRecorder(cache, TimeSpan.FromMinutes(1), recording: null);
            var client = new ExchangeStreamClient(options, exchange.Client, cache, recorder, NullLogger<ExchangeStreamClient>.Instance);
            var store = new StreamSnapshotStore(services.GetRequiredService<SnapshotWriter>(), services.GetRequiredService<ServiceState>(),
                exchange.Client, NullLogger<StreamSnapshotStore>.Instance);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var running = client.RunAsync(stop.Token);
            var storing = store.RunAsync(recorder, client, CancellationToken.None);
            var from = exchange.Clock.GetUtcNow();
            await WaitForAsync(client, from, cancellationToken);
            for (var minute = 0; minute < minutes; minute++)
            {
                await exchange.TickAsync(cancellationToken);
                await WaitForAsync(client, exchange.Clock.GetUtcNow(), cancellationToken);
            }

            // Just past the last minute, so its grid point is due.
            exchange.Clock.Advance(TimeSpan.FromMilliseconds(1));
            await WaitForAsync(client, exchange.Clock.GetUtcNow(), cancellationToken);
            await stop.CancelAsync();
            await running;
            recorder.Complete();
            await storing;

            var (pairs, equal) = await CompareAsync(services.GetRequiredService<NpgsqlDataSource>(), from, cancellationToken);
            return string.Create(CultureInfo.InvariantCulture,
                $"streamed {minutes} simulated minutes over TLS from the fake Exchange Stream API: {store.Inserted:N0} snapshots of {recorder.Markets} markets (source exchange_stream, clk {client.Counters.Clk}); at the {pairs:N0} instants polled and streamed, {equal:N0} derived rows are equal");
        }
        finally
        {
            File.Delete(caPath);
        }
    }

    private static async Task WaitForAsync(ExchangeStreamClient client, DateTimeOffset time, CancellationToken cancellationToken)
    {
        var target = time.ToUnixTimeMilliseconds();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (client.Counters.LastPublishTime < target)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the fake stream sent nothing for 30 s");
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    // Polled and streamed snapshots of the same market at the same instant, and how many have equal derived rows.
    private static async Task<(long Pairs, long Equal)> CompareAsync(NpgsqlDataSource dataSource, DateTimeOffset from, CancellationToken cancellationToken)
    {
        var same = string.Join(" and ", MetricColumns.Names.Where(c => c != "calculation_version" && c != "depth_limit" && c != "market_id")
            .Select(c => $"(p.{c} is null and s.{c} is null or abs(p.{c} - s.{c}) <= 1e-6)"));
        var sql = $"""
            select count(*), count(*) filter (where {same})
            from market_book_snapshots ps
            join market_book_snapshots ss on ss.market_id = ps.market_id and ss.snapshot_at = ps.snapshot_at and ss.source = 'exchange_stream'
            join market_derived_metrics p on p.snapshot_id = ps.snapshot_id
            join market_derived_metrics s on s.snapshot_id = ss.snapshot_id
            where ps.source = 'rest_listMarketBook' and ps.snapshot_at >= @from
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(sql, new { from }, cancellationToken: cancellationToken));
    }
}

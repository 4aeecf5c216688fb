using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Data.Migrations;
using NetBet.Data.Snapshots;
using Npgsql;

namespace NetBet.Bench;

/// <summary>
/// <c>bench convert [N]</c>: the in-place conversion to monthly partitions (migration
/// <c>2026-11-30_partition_by_month</c>) on a database of N snapshots with derived rows (default 1,000,000), while a
/// writer stores one poll-sized batch (30 snapshots through <see cref="SnapshotWriter"/>) every 200 ms. Prints the
/// migration's time and the longest any write waited, which is the time writers were locked out. Runs on a throwaway
/// durable cluster, or a new database on NETBET_DB's server (dropped afterwards).
/// </summary>
internal static class ConvertBenchmark
{
    private const string PartitionMigration = "2026-11-30_partition_by_month";

    public static async Task<int> RunAsync(string[] args)
    {
        var rows = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var n) ? n : 1_000_000;
        return await DurableDatabase.RunAsync("convert", keep: false, db => MeasureAsync(db, rows));
    }

    private static async Task<int> MeasureAsync(NpgsqlDataSource db, int rows)
    {
        var runner = new MigrationRunner(db, NullLogger<MigrationRunner>.Instance);
        var before = MigrationCatalog.All.Last(m => string.CompareOrdinal(m.Id, PartitionMigration) < 0).Id;
        await runner.MigrateAsync(before, dryRun: false, null, CancellationToken.None);
        var fill = Stopwatch.StartNew();
        await BackfillBenchmark.FillAsync(db, rows, []);
        await ScalarAsync(db, "select setval(pg_get_serial_sequence('market_book_snapshots', 'snapshot_id'), max(snapshot_id)) from market_book_snapshots");
        await using (var connection = await db.OpenConnectionAsync())
        await using (var vacuum = new NpgsqlCommand("vacuum analyze", connection))
        {
            await vacuum.ExecuteNonQueryAsync();
        }

        var bytes = await ScalarAsync(db, "select pg_total_relation_size('market_book_snapshots') + pg_total_relation_size('market_derived_metrics')");
        Console.Error.WriteLine($"filled {rows:N0} snapshots ({bytes / 1e9:F2} GB with indexes) in {fill.Elapsed.TotalSeconds:F1} s");

        // The writer: one batch every 200 ms into the current month, each write timed.
        using var stop = new CancellationTokenSource();
        var waits = new List<(TimeSpan At, TimeSpan Took)>();
        var clock = Stopwatch.StartNew();
        var writer = Task.Run(async () =>
        {
            var snapshotWriter = new SnapshotWriter(db, NullLogger<SnapshotWriter>.Instance);
            var markets = Enumerable.Range(0, 30).Select(m => new MarketMetadata("1." + (250_000_000 + m).ToString(CultureInfo.InvariantCulture))).ToList();
            var tick = DateTimeOffset.UtcNow;
            while (!stop.IsCancellationRequested)
            {
                tick = tick.AddSeconds(1);
                var at = clock.Elapsed;
                var write = Stopwatch.StartNew();
                await snapshotWriter.WriteAsync(
                    new SnapshotBatch(markets, [.. markets.Select(m => new SnapshotRecord(m.MarketId, tick) { RawPayload = "{}", Status = "OPEN" })]),
                    CancellationToken.None);
                lock (waits)
                {
                    waits.Add((at, write.Elapsed));
                }

                try
                {
                    await Task.Delay(200, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });

        await Task.Delay(2000);
        var migrateStart = clock.Elapsed;
        var report = await runner.MigrateAsync(PartitionMigration, dryRun: false, null, CancellationToken.None);
        var migrateEnd = clock.Elapsed;
        await Task.Delay(2000);
        await stop.CancelAsync();
        await writer;

        var during = waits.Where(w => w.At + w.Took >= migrateStart && w.At <= migrateEnd).ToList();
        var longest = waits.Max(w => w.Took);
        var typical = waits.Where(w => w.At + w.Took < migrateStart).Select(w => w.Took.TotalMilliseconds).Order().ToList();
        var rowsAfter = await ScalarAsync(db, "select count(*) from market_book_snapshots");
        var months = await ScalarAsync(db, "select count(*) from pg_inherits where inhparent = 'market_book_snapshots'::regclass");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            convert benchmark: {rows:N0} snapshots with derived rows ({bytes / 1e9:F2} GB), {Environment.ProcessorCount} cores
            migration {PartitionMigration}: {(migrateEnd - migrateStart).TotalSeconds:F1} s ({report.Applied.Single().ExecutionMs / 1000.0:F1} s in the transaction), {rowsAfter:N0} rows in {months} month partition(s)
            writer (30 snapshots / 200 ms): {waits.Count} writes, typical {typical[typical.Count / 2]:F0} ms before; longest wait {longest.TotalSeconds:F1} s ({during.Count} writes overlapped the migration)
            """));
        return rowsAfter >= rows ? 0 : 1;
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource db, string sql)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}

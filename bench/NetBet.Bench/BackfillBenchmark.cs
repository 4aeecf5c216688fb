using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Bench.Harness;
using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Data.Backfill;
using NetBet.Data.Migrations;
using NetBet.Data.Partitions;
using Npgsql;
using NpgsqlTypes;

namespace NetBet.Bench;

/// <summary>
/// <c>bench backfill [N] [--batch-size B] [--runs R] [--workers W]</c>: fills a fresh database with N realistic snapshots whose 18
/// post-base-schema metric columns are NULL, then, R times in a row (3 by default), measures (1) the backfill of
/// those columns and (2) the PostgreSQL floor for the same work in the same run: COPY the same payloads out, plus
/// one set-based UPDATE of the same rows from a COPY'd temporary table. Columns are reset to NULL (and vacuumed)
/// before each measurement. The targets hold for every run, so the figures are the worst run's, with
/// min/median/max.
/// Uses NETBET_DB's server when set (in a new database it drops afterwards unless --keep), else a throwaway durable
/// cluster.
/// </summary>
public static class BackfillBenchmark
{
    private const int MarketsPerThousand = 2;
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var rows = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var n) ? n : 200_000;
        var batchSize = Array.IndexOf(args, "--batch-size") is var i and >= 0 && i + 1 < args.Length
            ? int.Parse(args[i + 1], CultureInfo.InvariantCulture)
            : BackfillOptions.DefaultBatchSize;
        var runs = Array.IndexOf(args, "--runs") is var r and >= 0 && r + 1 < args.Length
            ? int.Parse(args[r + 1], CultureInfo.InvariantCulture)
            : 3;
        var workers = Array.IndexOf(args, "--workers") is var w and >= 0 && w + 1 < args.Length
            ? int.Parse(args[w + 1], CultureInfo.InvariantCulture)
            : Environment.ProcessorCount;

        return await DurableDatabase.RunAsync("backfill", args.Contains("--keep"), db => MeasureAsync(db, rows, batchSize, runs, workers));
    }

    private static async Task<int> MeasureAsync(NpgsqlDataSource db, int rows, int batchSize, int runs, int workers)
    {
        var columns = MetricSchema.AddedAfterBaseSchema.OrderBy(MetricColumns.IndexOf).ToArray();
        await new MigrationRunner(db, NullLogger<MigrationRunner>.Instance).MigrateAsync(null, dryRun: false, null, CancellationToken.None);

        var fill = Stopwatch.StartNew();
        await FillAsync(db, rows, columns);
        await ExecuteAsync(db, "vacuum analyze");
        Console.Error.WriteLine($"filled {rows:N0} snapshots in {fill.Elapsed.TotalSeconds:F1} s");
        var (payloadText, payloadStored) = await PayloadSizeAsync(db);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            backfill benchmark: {rows:N0} snapshots, 18 NULL columns, batch size {batchSize}, {workers} workers, {Environment.ProcessorCount} cores, {runs} runs, load average {LoadAverage()}
            payload: {payloadText:N0} bytes as JSON text, {payloadStored:N0} bytes stored (jsonb, compressed)
            """));
        var rates = new List<double>();
        var ratios = new List<double>();
        List<(long Id, double[] Values)>? values = null;
        for (var run = 1; run <= runs; run++)
        {
            if (run > 1)
            {
                await ResetAsync(db, columns);
            }

            // (1) the backfill, as `netbet backfill --columns <the 18> --batch-size B` runs it (by default one worker a core)
            var backfiller = new Backfiller(db, NullLogger<Backfiller>.Instance);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var result = await backfiller.RunAsync(
                new BackfillOptions { Columns = columns, BatchSize = batchSize, Workers = workers }, null, CancellationToken.None);
            var backfillSeconds = watch.Elapsed.TotalSeconds;
            var backfillCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            if (result.Updated != rows || result.Errors != 0)
            {
                Console.Error.WriteLine($"unexpected result: {result.SummaryLine}");
                return 1;
            }

            // The floor's input: the very values the backfill wrote, held in memory before the clock starts.
            values ??= await ReadValuesAsync(db, columns);
            await ResetAsync(db, columns);

            // (2) the floor: stream the same payloads out, then one set-based update of the same rows
            watch.Restart();
            var payloadBytes = await CopyPayloadsOutAsync(db);
            var updated = await SetBasedUpdateAsync(db, columns, values);
            var floorSeconds = watch.Elapsed.TotalSeconds;
            if (updated != rows)
            {
                Console.Error.WriteLine($"floor updated {updated} rows, expected {rows}");
                return 1;
            }

            rates.Add(rows / backfillSeconds);
            ratios.Add(backfillSeconds / floorSeconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                run {run}: backfill {backfillSeconds,7:F1} s  {rows / backfillSeconds,9:N0} rows/s  ({result.SummaryLine}; client CPU {backfillCpu:F1} s)
                       waiting for reads {result.ReadWait.TotalSeconds:F1} s, computing {result.ComputeTime.TotalSeconds:F1} s, waiting for writes {result.WriteTime.TotalSeconds:F1} s (summed over workers)
                       floor    {floorSeconds,7:F1} s  {rows / floorSeconds,9:N0} rows/s  (COPY {payloadBytes / 1e9:F2} GB of payloads out + one UPDATE from a COPY'd temp table)
                       ratio    {backfillSeconds / floorSeconds:F2}x the floor; load average {LoadAverage()}
                """));
        }

        Figures.Add("backfill", $"backfill at {rows:N0} rows (worst of {runs} runs)", "rows/s", rates.Min(), 20_000, Goal.AtLeast, rates);
        Figures.Add("backfill", $"time against the PostgreSQL floor (worst of {runs} runs)", "x floor", ratios.Max(), 1.5, Goal.AtMost, ratios);
        return 0;
    }

    /// <summary>
    /// Stores <paramref name="rows"/> snapshots of January 2026 with derived rows, <paramref name="nullColumns"/>
    /// left NULL, by COPY with explicit snapshot ids 1 .. N (the identity sequence is not advanced).
    /// </summary>
    internal static async Task FillAsync(NpgsqlDataSource db, int rows, string[] nullColumns)
    {
        var markets = Math.Max(1, rows * MarketsPerThousand / 1000);
        var perMarket = (rows + markets - 1) / markets;
        var roles = new RunnerRoles(BookGenerator.SelectionIds[0], BookGenerator.SelectionIds[1], BookGenerator.SelectionIds[2]);
        var filled = Enumerable.Range(0, MetricColumns.Count).Where(c => !nullColumns.Contains(MetricColumns.Names[c])).ToArray();
        await using var connection = await db.OpenConnectionAsync();
        if (await MonthPartitions.IsPartitionedAsync(connection, CancellationToken.None))
        {
            // COPY into a partitioned table needs the month's partition (there is no default partition).
            await MonthPartitions.EnsureAsync(connection, [PartitionMonth.Of(Start)], CancellationToken.None);
        }

        await using (var metadata = await connection.BeginBinaryImportAsync(
            "copy market_event_metadata (market_id, market_name, home_selection_id, away_selection_id, draw_selection_id) from stdin (format binary)"))
        {
            for (var m = 0; m < markets; m++)
            {
                await metadata.WriteRowAsync(CancellationToken.None, MarketId(m), "Match Odds", roles.Home, roles.Away, roles.Draw);
            }

            await metadata.CompleteAsync();
        }

        // Chunks keep memory flat at 1M rows; payloads are generated and computed in parallel per chunk.
        const int chunk = 20_000;
        for (var first = 0; first < rows; first += chunk)
        {
            var count = Math.Min(chunk, rows - first);
            var payloads = new string[count];
            var derived = new DerivedRow[count];
            Parallel.For(0, count, k =>
            {
                var id = first + k;
                var random = new Random(id);
                var bytes = BookGenerator.Generate(random, MarketId(id / perMarket));
                payloads[k] = Encoding.UTF8.GetString(bytes);
                derived[k] = MetricEngine.Compute(MarketBookReader.Read(bytes), roles).Row!;
            });

            await using (var snapshots = await connection.BeginBinaryImportAsync(
                "copy market_book_snapshots (snapshot_id, snapshot_at, market_id, raw_payload, status, inplay, source) from stdin (format binary)"))
            {
                for (var k = 0; k < count; k++)
                {
                    var id = first + k;
                    await snapshots.StartRowAsync();
                    await snapshots.WriteAsync((long)id + 1, NpgsqlDbType.Bigint);
                    await snapshots.WriteAsync(SnapshotAt(id, perMarket), NpgsqlDbType.TimestampTz);
                    await snapshots.WriteAsync(MarketId(id / perMarket), NpgsqlDbType.Text);
                    await snapshots.WriteAsync(payloads[k], NpgsqlDbType.Jsonb);
                    await snapshots.WriteAsync("OPEN", NpgsqlDbType.Text);
                    await snapshots.WriteAsync(false, NpgsqlDbType.Boolean);
                    await snapshots.WriteAsync("bench", NpgsqlDbType.Text);
                }

                await snapshots.CompleteAsync();
            }

            var filledNames = string.Join(", ", filled.Select(c => MetricColumns.Names[c]));
            await using (var metrics = await connection.BeginBinaryImportAsync(
                $"copy market_derived_metrics (snapshot_id, snapshot_at, market_id, depth_limit, calculation_version, {filledNames}) from stdin (format binary)"))
            {
                for (var k = 0; k < count; k++)
                {
                    var id = first + k;
                    await metrics.StartRowAsync();
                    await metrics.WriteAsync((long)id + 1, NpgsqlDbType.Bigint);
                    await metrics.WriteAsync(SnapshotAt(id, perMarket), NpgsqlDbType.TimestampTz);
                    await metrics.WriteAsync(MarketId(id / perMarket), NpgsqlDbType.Text);
                    await metrics.WriteAsync(MetricColumns.DepthLimit, NpgsqlDbType.Integer);
                    await metrics.WriteAsync(MetricColumns.CalculationVersion, NpgsqlDbType.Text);
                    foreach (var c in filled)
                    {
                        await metrics.WriteAsync(derived[k][c]!.Value, NpgsqlDbType.Double);
                    }
                }

                await metrics.CompleteAsync();
            }
        }
    }

    private static string MarketId(int market) => "1." + (240_000_000 + market).ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset SnapshotAt(int id, int perMarket) => Start.AddMinutes(id % perMarket).AddSeconds(id / perMarket % 60);

    private static async Task<(double Text, double Stored)> PayloadSizeAsync(NpgsqlDataSource db)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            "select avg(octet_length(raw_payload::text))::float8, avg(pg_column_size(raw_payload))::float8 from (select raw_payload from market_book_snapshots limit 10000) s",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetDouble(0), reader.GetDouble(1));
    }

    private static async Task<List<(long Id, double[] Values)>> ReadValuesAsync(NpgsqlDataSource db, string[] columns)
    {
        var values = new List<(long, double[])>();
        await using var connection = await db.OpenConnectionAsync();
        await using var command = new NpgsqlCommand($"select snapshot_id, {string.Join(", ", columns)} from market_derived_metrics order by snapshot_id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = new double[columns.Length];
            for (var c = 0; c < row.Length; c++)
            {
                row[c] = reader.GetDouble(c + 1);
            }

            values.Add((reader.GetInt64(0), row));
        }

        return values;
    }

    private static async Task ResetAsync(NpgsqlDataSource db, string[] columns)
    {
        await ExecuteAsync(db, $"update market_derived_metrics set {string.Join(", ", columns.Select(c => c + " = null"))}");
        await ExecuteAsync(db, "vacuum analyze market_derived_metrics");
    }

    private static async Task<long> CopyPayloadsOutAsync(NpgsqlDataSource db)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var stream = await connection.BeginRawBinaryCopyAsync(
            "copy (select s.snapshot_id, s.raw_payload from market_book_snapshots s order by s.snapshot_id) to stdout (format binary)");
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(), CancellationToken.None)) > 0)
        {
            total += read;
        }

        return total;
    }

    private static async Task<int> SetBasedUpdateAsync(NpgsqlDataSource db, string[] columns, List<(long Id, double[] Values)> values)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var create = new NpgsqlCommand(
            $"create temp table floor_values (snapshot_id bigint, {string.Join(", ", columns.Select(c => c + " double precision"))}) on commit drop",
            connection,
            transaction))
        {
            await create.ExecuteNonQueryAsync();
        }

        await using (var importer = await connection.BeginBinaryImportAsync($"copy floor_values (snapshot_id, {string.Join(", ", columns)}) from stdin (format binary)"))
        {
            foreach (var (id, row) in values)
            {
                await importer.StartRowAsync();
                await importer.WriteAsync(id, NpgsqlDbType.Bigint);
                foreach (var value in row)
                {
                    await importer.WriteAsync(value, NpgsqlDbType.Double);
                }
            }

            await importer.CompleteAsync();
        }

        await using var update = new NpgsqlCommand(
            $"""
            update market_derived_metrics d
            set {string.Join(", ", columns.Select(c => $"{c} = coalesce(d.{c}, n.{c})"))}
            from floor_values n
            where d.snapshot_id = n.snapshot_id and ({string.Join(" or ", columns.Select(c => $"(d.{c} is null and n.{c} is not null)"))})
            """,
            connection,
            transaction);
        var updated = await update.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
        return updated;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Data.Audit;
using NetBet.Data.Backfill;
using NetBet.Data.Migrations;
using NetBet.Data.Partitions;
using NetBet.Data.Snapshots;
using Npgsql;
using NpgsqlTypes;

namespace NetBet.Bench;

/// <summary>
/// <c>bench scale [--snapshots N] [--checkpoint C] [--requests R] [--workers W] [--keep]</c>: proof at season scale.
/// Loads N snapshots (default 10,000,000) with derived rows across 15,000 markets over 12 months, in time order as a
/// recording database grows, measures at C snapshots (default 1,000,000), loads the rest, measures again, and prints
/// both with the ratio N/C against the goal (per-request and per-row costs at N within 1.25x of those at C).
/// Measured: the timeseries of a market with a day of 1-minute snapshots through the real web app (1,440 and 96
/// points, p50/p99), <c>/api/leagues</c> and <c>/api/leagues/{league}/events</c> p99 over an 8-day window, a 300-market
/// poll tick through <see cref="SnapshotWriter"/>, the backfill of the 18 post-base-schema columns of the first
/// month (NULLed first) with <c>--from/--to</c>, the audit of that month and of everything, bytes on disk per snapshot.
/// Both measurements see the same market, window, league and month, so only the size of the tables differs.
/// Loading is bulk: the months are created first (as <c>netbet partitions ensure</c> does), then W connections
/// (default cores + 1) binary-COPY generated payloads (<see cref="BookGenerator"/>) with derived rows from the real
/// <see cref="MetricEngine"/>. Runs on a throwaway durable cluster, or a new database on NETBET_DB's server
/// (<c>--keep</c> keeps that database).
/// </summary>
internal static class ScaleBenchmark
{
    private const int Markets = 15_000;
    private const int Leagues = 30;
    private const int DayMinutes = 1_440;
    private const int Chunk = 5_000;
    private const int TickMarkets = 300;
    private const int Ticks = 50;
    private const double Goal = 1.25;

    // Twelve months ending where the real calendar's recording would be now; market 0 is the timeseries market.
    private static readonly DateTimeOffset Start = new(2025, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly PartitionMonth FirstMonth = PartitionMonth.Of(Start);
    private static readonly RunnerRoles Roles = new(BookGenerator.SelectionIds[0], BookGenerator.SelectionIds[1], BookGenerator.SelectionIds[2]);

    public static async Task<int> RunAsync(string[] args)
    {
        long snapshots = 10_000_000;
        long checkpoint = 1_000_000;
        var requests = 200;
        var workers = Environment.ProcessorCount + 1;
        var keep = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--snapshots": snapshots = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--checkpoint": checkpoint = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--requests": requests = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--workers": workers = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--keep": keep = true; break;
                default:
                    Console.Error.WriteLine($"scale: unknown argument {args[i]}; usage: scale [--snapshots N] [--checkpoint C] [--requests R] [--workers W] [--keep]");
                    return 2;
            }
        }

        var layout = new Layout(snapshots);
        if (checkpoint >= snapshots || checkpoint < layout.FirstMonthRows)
        {
            Console.Error.WriteLine(FormattableString.Invariant(
                $"scale: --checkpoint {checkpoint:N0} must be below --snapshots {snapshots:N0} and cover the first month ({layout.FirstMonthRows:N0} snapshots)"));
            return 2;
        }

        var dll = ApiBenchmark.LocateWebDll();
        if (!File.Exists(dll))
        {
            Console.Error.WriteLine($"scale: {dll} is missing: build src/NetBet.Web in the bench's configuration, or set NETBET_WEB_DLL");
            return 2;
        }

        return await DurableDatabase.RunAsync("scale", keep, async db =>
        {
            var run = new Run(db, layout, dll, requests, workers);
            await run.PrepareAsync();
            await run.LoadAsync(0, checkpoint);
            var small = await run.MeasureAsync(checkpoint);
            await run.LoadAsync(checkpoint, snapshots);
            var large = await run.MeasureAsync(snapshots);
            return Report(small, large, run.Errors);
        });
    }

    /// <summary>Where row i of the load goes: market 0 holds a day of 1-minute snapshots, the others share the rest.</summary>
    private sealed class Layout(long snapshots)
    {
        public long Snapshots { get; } = snapshots;

        public int PerMarket { get; } = (int)Math.Min(DayMinutes, Math.Max(1, (snapshots - DayMinutes + Markets - 2) / (Markets - 1)));

        /// <summary>Rows up to the first market that starts polling after the first month: every row of that month is among them.</summary>
        public long FirstMonthRows
        {
            get
            {
                var market = 1;
                while (market < Markets && KickOff(market).AddMinutes(-PerMarket) < FirstMonth.End)
                {
                    market++;
                }

                return Math.Min(Snapshots, DayMinutes + ((long)(market - 1) * PerMarket));
            }
        }

        public static string MarketId(int market) => "1." + (260_000_000 + market).ToString(CultureInfo.InvariantCulture);

        public static string League(int market) => (10_932_509 + (market % Leagues)).ToString(CultureInfo.InvariantCulture);

        // Kick-offs spread evenly over the year after the timeseries market's day; each market is polled once a minute
        // for the PerMarket minutes before its kick-off.
        public static DateTimeOffset KickOff(int market) =>
            market == 0 ? Start.AddMinutes(DayMinutes) : Start.AddDays(1).AddMinutes(DayMinutes).AddMinutes((market - 1) * (364.0 * DayMinutes / Markets));

        public int MarketOf(long row) => row < DayMinutes ? 0 : (int)Math.Min(Markets - 1, 1 + ((row - DayMinutes) / PerMarket));

        public DateTimeOffset At(long row)
        {
            if (row < DayMinutes)
            {
                return Start.AddMinutes(row);
            }

            var market = MarketOf(row);
            var k = (row - DayMinutes) - ((long)(market - 1) * PerMarket);
            // The last market takes any remainder: one more second each, so times stay unique.
            return KickOff(market).AddMinutes(-PerMarket + (k % PerMarket)).AddSeconds(k / PerMarket);
        }
    }

    private sealed record Point(
        long Snapshots,
        Latency Series1440,
        Latency Series96,
        Latency Leagues,
        Latency LeagueEvents,
        double TickMedianMs,
        double TickP99Ms,
        long BackfillRows,
        double BackfillRowsPerSecond,
        double AuditMonthSeconds,
        double AuditAllSeconds,
        double BytesPerSnapshot,
        string LoadAverage);

    private sealed record Latency(double P50, double P99);

    private sealed class Run(NpgsqlDataSource db, Layout layout, string webDll, int requests, int workers)
    {
        private long _nextTickRow;

        public int Errors { get; private set; }

        public async Task PrepareAsync()
        {
            await new MigrationRunner(db, NullLogger<MigrationRunner>.Instance).MigrateAsync(null, dryRun: false, null, CancellationToken.None);
            var months = await new MonthPartitions(db).EnsureRangeAsync(FirstMonth, PartitionMonth.Of(Start.AddMonths(12)), CancellationToken.None);
            Console.WriteLine(FormattableString.Invariant(
                $"scale: {layout.Snapshots:N0} snapshots over {months.Count} months, {Markets:N0} markets ({layout.PerMarket} snapshots each, market {Layout.MarketId(0)} a day of {DayMinutes:N0}), {Leagues} leagues; {layout.FirstMonthRows:N0} in {FirstMonth}"));

            // Every market's catalogue is known from the start: only the snapshots grow between the two measurements.
            await using var connection = await db.OpenConnectionAsync();
            await using (var metadata = await connection.BeginBinaryImportAsync(
                "copy market_event_metadata (market_id, market_name, market_start_time, sport_id, sport_name, event_name, country_code, competition_id, competition_name, home_selection_id, away_selection_id, draw_selection_id, home_runner_name, away_runner_name, draw_runner_name) from stdin (format binary)"))
            {
                for (var m = 0; m < Markets; m++)
                {
                    await metadata.WriteRowAsync(
                        CancellationToken.None,
                        Layout.MarketId(m),
                        "Match Odds",
                        Layout.KickOff(m),
                        "1",
                        "Soccer",
                        FormattableString.Invariant($"Home {m} v Away {m}"),
                        "GB",
                        Layout.League(m),
                        FormattableString.Invariant($"League {m % Leagues:D2}"),
                        Roles.Home,
                        Roles.Away,
                        Roles.Draw,
                        FormattableString.Invariant($"Home {m}"),
                        FormattableString.Invariant($"Away {m}"),
                        "The Draw");
                }

                await metadata.CompleteAsync();
            }

            // Loaded rows take ids 1 .. N explicitly; the poll ticks' ids come from the sequence, above them all.
            await using var sequence = new NpgsqlCommand(
                $"select setval(pg_get_serial_sequence('market_book_snapshots', 'snapshot_id'), {layout.Snapshots})", connection);
            await sequence.ExecuteNonQueryAsync();
        }

        /// <summary>Loads rows <paramref name="from"/> .. <paramref name="to"/> (exclusive) with W connections, then vacuums and analyzes.</summary>
        public async Task LoadAsync(long from, long to)
        {
            var next = from;
            long done = 0;
            var watch = Stopwatch.StartNew();
            var lastPrint = TimeSpan.Zero;
            var progress = new object();
            await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
            {
                await using var connection = await db.OpenConnectionAsync();
                await SkipForeignKeyTriggersAsync(connection);
                while (true)
                {
                    var first = Interlocked.Add(ref next, Chunk) - Chunk;
                    if (first >= to)
                    {
                        return;
                    }

                    var count = (int)Math.Min(Chunk, to - first);
                    await CopyAsync(connection, Generate(first, count));
                    var total = Interlocked.Add(ref done, count);
                    lock (progress)
                    {
                        if (watch.Elapsed - lastPrint > TimeSpan.FromSeconds(2) || total == to - from)
                        {
                            lastPrint = watch.Elapsed;
                            var rate = total / watch.Elapsed.TotalSeconds;
                            var left = TimeSpan.FromSeconds((to - from - total) / Math.Max(rate, 1));
                            Console.Error.Write(FormattableString.Invariant(
                                $"\rscale: loaded {from + total:N0} / {to:N0} snapshots, {rate:N0}/s, {left:hh\\:mm\\:ss} left   "));
                        }
                    }
                }
            })));
            Console.Error.WriteLine();
            var loaded = watch.Elapsed;
            watch.Restart();
            // A plain-SQL load, so market_latest_state is set from the snapshots afterwards, as the README says.
            await ExecuteAsync("select netbet_refresh_latest_state()");
            await ExecuteAsync("vacuum analyze market_event_metadata, market_book_snapshots, market_derived_metrics, market_latest_state");

            // The load's dirty pages are flushed before measuring, not by a checkpoint during the measurements.
            try
            {
                await ExecuteAsync("checkpoint");
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
            }
            Console.WriteLine(FormattableString.Invariant(
                $"scale: loaded {to - from:N0} snapshots with derived rows in {loaded.TotalSeconds:N0} s ({(to - from) / loaded.TotalSeconds:N0}/s, {workers} connections), vacuum analyze and checkpoint {watch.Elapsed.TotalSeconds:N0} s"));
        }

        public async Task<Point> MeasureAsync(long snapshots)
        {
            Console.WriteLine(FormattableString.Invariant($"scale: measuring at {snapshots:N0} snapshots; load average {LoadAverage()}"));
            var loadAverage = LoadAverage();
            var (series1440, series96, leagues, events) = await MeasureApiAsync();
            var (tickMedian, tickP99) = await MeasureTicksAsync(snapshots);
            var (backfillRows, backfillRate) = await MeasureBackfillAsync();
            var auditor = new Auditor(db);
            var watch = Stopwatch.StartNew();
            var month = await auditor.RunAsync(FirstMonth.Start, FirstMonth.End, CancellationToken.None);
            var auditMonth = watch.Elapsed.TotalSeconds;
            watch.Restart();
            var all = await auditor.RunAsync(CancellationToken.None);
            var auditAll = watch.Elapsed.TotalSeconds;
            Console.WriteLine(FormattableString.Invariant(
                $"scale: audit {FirstMonth}: {month.TotalSnapshots:N0} snapshots in {auditMonth:N1} s; everything: {all.TotalSnapshots:N0} in {auditAll:N1} s"));
            var bytes = await ScalarAsync(
                "select (select sum(pg_total_relation_size(relid)) from pg_partition_tree('market_book_snapshots'))"
                + " + (select sum(pg_total_relation_size(relid)) from pg_partition_tree('market_derived_metrics'))");
            var stored = await ScalarAsync("select count(*) from market_book_snapshots");
            return new Point(
                snapshots, series1440, series96, leagues, events, tickMedian, tickP99, backfillRows, backfillRate, auditMonth, auditAll, (double)bytes / stored, loadAverage);
        }

        private async Task<(Latency Series1440, Latency Series96, Latency Leagues, Latency Events)> MeasureApiAsync()
        {
            // The 8 days before the timeseries market's kick-off's week, as the UI's default window would show them.
            var from = Uri.EscapeDataString(Start.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            var to = Uri.EscapeDataString(Start.AddDays(8).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            var port = ApiBenchmark.FreePort();
            using var web = ApiBenchmark.StartWeb(webDll, db.ConnectionString, port);
            try
            {
                using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
                await ApiBenchmark.WaitForHealthAsync(client, web);
                var results = new List<Latency>();
                foreach (var (name, path) in new[]
                {
                    ("timeseries 1,440 points", $"api/events/{Layout.MarketId(0)}/timeseries?interval_minutes=1"),
                    ("timeseries 96 points", $"api/events/{Layout.MarketId(0)}/timeseries"),
                    ("leagues", $"api/leagues/?from={from}&to={to}"),
                    ("league events", $"api/leagues/{Layout.League(0)}/events?from={from}&to={to}"),
                })
                {
                    await ApiBenchmark.LoadAsync(client, path, Math.Max(10, requests / 10), 1);
                    var result = await ApiBenchmark.LoadAsync(client, path, requests, 1);
                    Errors += result.Errors;
                    var sorted = result.LatenciesMs.Order().ToArray();
                    var latency = new Latency(Percentile(sorted, 0.50), Percentile(sorted, 0.99));
                    results.Add(latency);
                    Console.WriteLine(FormattableString.Invariant(
                        $"scale: {name}: p50 {latency.P50:N1} ms, p99 {latency.P99:N1} ms, {result.Bytes / (double)result.Requests / 1024:N1} KiB, {result.Errors} errors ({requests} requests, one client)"));
                }

                return (results[0], results[1], results[2], results[3]);
            }
            finally
            {
                if (!web.HasExited)
                {
                    web.Kill(entireProcessTree: true);
                    await web.WaitForExitAsync();
                }
            }
        }

        // Ticks go to the newest month, half a second after whole seconds so they never meet a loaded row, for the
        // 300 markets loaded last (their metadata is stored: the batch carries none, as most ticks do).
        private async Task<(double Median, double P99)> MeasureTicksAsync(long snapshots)
        {
            var writer = new SnapshotWriter(db, NullLogger<SnapshotWriter>.Instance);
            var lastMarket = layout.MarketOf(snapshots - 1);
            var markets = Enumerable.Range(Math.Max(0, lastMarket - TickMarkets + 1), Math.Min(TickMarkets, lastMarket + 1)).Select(Layout.MarketId).ToArray();
            var at = layout.At(snapshots - 1).AddMilliseconds(500);
            var random = new Random(7);
            var batches = Enumerable.Range(0, Ticks + 3).Select(t => new SnapshotBatch(
                [.. markets.Select(m => ApiBenchmark.Snapshot(random, m, at.AddMinutes(_nextTickRow + t), Roles))])).ToList();
            _nextTickRow += batches.Count;
            var times = new List<double>();
            foreach (var (batch, t) in batches.Select((b, t) => (b, t)))
            {
                var watch = Stopwatch.StartNew();
                var result = await writer.WriteAsync(batch, CancellationToken.None);
                if (t >= 3)
                {
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }

                if (result.SnapshotsInserted != markets.Length)
                {
                    Errors++;
                }
            }

            var sorted = times.Order().ToArray();
            var (median, p99) = (Percentile(sorted, 0.5), Percentile(sorted, 0.99));
            Console.WriteLine(FormattableString.Invariant(
                $"scale: poll tick of {markets.Length} markets through SnapshotWriter: median {median:N1} ms, max {p99:N1} ms ({Ticks} ticks after 3 warm-up)"));
            return (median, p99);
        }

        private async Task<(long Rows, double RowsPerSecond)> MeasureBackfillAsync()
        {
            var columns = MetricSchema.AddedAfterBaseSchema.OrderBy(MetricColumns.IndexOf).ToArray();
            var partition = $"market_derived_metrics_{FirstMonth.Suffix}";
            await ExecuteAsync($"update {partition} set {string.Join(", ", columns.Select(c => c + " = null"))}");
            await ExecuteAsync($"vacuum analyze {partition}");
            var watch = Stopwatch.StartNew();
            var result = await new Backfiller(db, NullLogger<Backfiller>.Instance).RunAsync(
                new BackfillOptions { Columns = columns, From = FirstMonth.Start, To = FirstMonth.End, Workers = Environment.ProcessorCount },
                null,
                CancellationToken.None);
            var seconds = watch.Elapsed.TotalSeconds;
            if (result.Errors != 0 || result.Updated == 0)
            {
                Errors++;
            }

            Console.WriteLine(FormattableString.Invariant(
                $"scale: backfill of {FirstMonth} (From/To = the month), {Environment.ProcessorCount} workers: {result.Updated / seconds:N0} rows/s ({result.SummaryLine})"));
            return (result.Updated, result.Updated / seconds);
        }

        private SnapshotRow[] Generate(long first, int count)
        {
            var rows = new SnapshotRow[count];
            for (var k = 0; k < count; k++)
            {
                var row = first + k;
                var market = Layout.MarketId(layout.MarketOf(row));
                var bytes = BookGenerator.Generate(new Random((int)row), market);
                var book = MarketBookReader.Read(bytes);
                rows[k] = new SnapshotRow(row + 1, layout.At(row), market, Encoding.UTF8.GetString(bytes), book.TotalMatched, MetricEngine.Compute(book, Roles).Row!);
            }

            return rows;
        }

        private static async Task CopyAsync(NpgsqlConnection connection, SnapshotRow[] rows)
        {
            await using (var snapshots = await connection.BeginBinaryImportAsync(
                "copy market_book_snapshots (snapshot_id, snapshot_at, market_id, raw_payload, total_matched, inplay, status, depth_limit, source) from stdin (format binary)"))
            {
                foreach (var row in rows)
                {
                    await snapshots.StartRowAsync();
                    await snapshots.WriteAsync(row.Id, NpgsqlDbType.Bigint);
                    await snapshots.WriteAsync(row.At, NpgsqlDbType.TimestampTz);
                    await snapshots.WriteAsync(row.MarketId, NpgsqlDbType.Text);
                    await snapshots.WriteAsync(row.Payload, NpgsqlDbType.Jsonb);
                    await WriteNullableAsync(snapshots, row.TotalMatched);
                    await snapshots.WriteAsync(false, NpgsqlDbType.Boolean);
                    await snapshots.WriteAsync("OPEN", NpgsqlDbType.Text);
                    await snapshots.WriteAsync(MetricColumns.DepthLimit, NpgsqlDbType.Integer);
                    await snapshots.WriteAsync("bench", NpgsqlDbType.Text);
                }

                await snapshots.CompleteAsync();
            }

            await using var metrics = await connection.BeginBinaryImportAsync(
                $"copy market_derived_metrics (snapshot_id, snapshot_at, market_id, depth_limit, calculation_version, {string.Join(", ", MetricColumns.Names)}) from stdin (format binary)");
            foreach (var row in rows)
            {
                await metrics.StartRowAsync();
                await metrics.WriteAsync(row.Id, NpgsqlDbType.Bigint);
                await metrics.WriteAsync(row.At, NpgsqlDbType.TimestampTz);
                await metrics.WriteAsync(row.MarketId, NpgsqlDbType.Text);
                await metrics.WriteAsync(MetricColumns.DepthLimit, NpgsqlDbType.Integer);
                await metrics.WriteAsync(MetricColumns.CalculationVersion, NpgsqlDbType.Text);
                for (var c = 0; c < MetricColumns.Count; c++)
                {
                    await WriteNullableAsync(metrics, row.Derived[c]);
                }
            }

            await metrics.CompleteAsync();
        }

        private static async Task WriteNullableAsync(NpgsqlBinaryImporter importer, double? value)
        {
            if (value is { } number)
            {
                await importer.WriteAsync(number, NpgsqlDbType.Double);
            }
            else
            {
                await importer.WriteNullAsync();
            }
        }

        // The rows are consistent by construction, so the bulk load skips the per-row foreign key checks where the
        // server allows it (a superuser, as on the throwaway cluster); elsewhere it checks them.
        private static async Task SkipForeignKeyTriggersAsync(NpgsqlConnection connection)
        {
            try
            {
                await using var command = new NpgsqlCommand("set session_replication_role = replica", connection);
                await command.ExecuteNonQueryAsync();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
            }
        }

        private async Task ExecuteAsync(string sql)
        {
            await using var connection = await db.OpenConnectionAsync();
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync();
        }

        private async Task<long> ScalarAsync(string sql)
        {
            await using var connection = await db.OpenConnectionAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }
    }

    private sealed record SnapshotRow(long Id, DateTimeOffset At, string MarketId, string Payload, double? TotalMatched, DerivedRow Derived);

    private static int Report(Point small, Point large, int errors)
    {
        var rows = new (string Name, string Unit, double Small, double Large)[]
        {
            ("timeseries 1,440 points p50", "ms", small.Series1440.P50, large.Series1440.P50),
            ("timeseries 1,440 points p99", "ms", small.Series1440.P99, large.Series1440.P99),
            ("timeseries 96 points p50", "ms", small.Series96.P50, large.Series96.P50),
            ("timeseries 96 points p99", "ms", small.Series96.P99, large.Series96.P99),
            ("/api/leagues p99", "ms", small.Leagues.P99, large.Leagues.P99),
            ("/api/leagues/{league}/events p99", "ms", small.LeagueEvents.P99, large.LeagueEvents.P99),
            ("300-market poll tick, median", "ms", small.TickMedianMs, large.TickMedianMs),
            ($"backfill of {FirstMonth} ({small.BackfillRows:N0} rows), per row", "µs", 1e6 / small.BackfillRowsPerSecond, 1e6 / large.BackfillRowsPerSecond),
            ($"audit of {FirstMonth}", "s", small.AuditMonthSeconds, large.AuditMonthSeconds),
            ("audit of everything, per snapshot", "µs", small.AuditAllSeconds * 1e6 / small.Snapshots, large.AuditAllSeconds * 1e6 / large.Snapshots),
            ("bytes on disk per snapshot (with derived row, indexes)", "B", small.BytesPerSnapshot, large.BytesPerSnapshot),
        };

        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant(
            $"scale: {Environment.ProcessorCount} cores; load average {small.LoadAverage} at {small.Snapshots:N0}, {large.LoadAverage} at {large.Snapshots:N0}"));
        Console.WriteLine(FormattableString.Invariant($"| cost | at {small.Snapshots:N0} | at {large.Snapshots:N0} | ratio | goal ≤ {Goal:N2}× |"));
        Console.WriteLine("|---|---|---|---|---|");
        var missed = 0;
        foreach (var (name, unit, a, b) in rows)
        {
            var ratio = b / a;
            var met = ratio <= Goal;
            missed += met ? 0 : 1;
            Console.WriteLine(FormattableString.Invariant($"| {name} | {a:N1} {unit} | {b:N1} {unit} | {ratio:N2}× | {(met ? "met" : "missed")} |"));
        }

        Console.WriteLine(FormattableString.Invariant(
            $"| (rates) backfill | {small.BackfillRowsPerSecond:N0} rows/s | {large.BackfillRowsPerSecond:N0} rows/s | | |"));
        Console.WriteLine(FormattableString.Invariant(
            $"| (times) audit of everything | {small.AuditAllSeconds:N1} s | {large.AuditAllSeconds:N1} s | | |"));
        Console.WriteLine(FormattableString.Invariant(
            $"scale: goal (costs at {large.Snapshots:N0} within {Goal:N2}× of those at {small.Snapshots:N0}): {(missed == 0 ? "met" : $"missed on {missed} of {rows.Length}")}; {errors} errors"));
        return errors == 0 ? 0 : 1;
    }

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(q * sorted.Length) - 1))];

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
}

using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Bench.Harness;
using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Data;
using NetBet.Data.Cluster;
using NetBet.Data.Migrations;
using NetBet.Data.Snapshots;
using Npgsql;

namespace NetBet.Bench;

/// <summary>
/// Storage write throughput: <c>write [N] [--batch B] [--metadata-every K] [--parallel P]</c>. Writes N snapshots
/// (default 100,000) with derived rows through <see cref="SnapshotWriter"/> in batches of B markets (default 1,000) at
/// one capture time (a poll tick), upserting the batch's metadata every K batches (default 10: a catalogue refresh
/// every 10 ticks; 1: every batch), from P concurrent writers (default: one per core, as a historical import runs;
/// the live poller writes one batch per tick, so <c>--parallel 1</c> shows what one stream of batches reaches). Besides
/// the rate it prints the CPU time per snapshot on each side, which stays meaningful on a busy machine, and the WAL written per snapshot. Runs against a scratch database: a new durable throwaway
/// cluster, or a new database on the server NETBET_DB names (dropped afterwards). Payloads and derived rows are built
/// before timing, so only storage is measured.
/// </summary>
internal static class WriteBenchmark
{
    private const double Target = 10_000;

    private const int WarmupBatches = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        var count = 100_000;
        var batchSize = 1_000;
        var metadataEvery = 10;
        var parallel = Environment.ProcessorCount;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--batch": batchSize = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--metadata-every": metadataEvery = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--parallel": parallel = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: count = int.Parse(args[i], CultureInfo.InvariantCulture); break;
            }
        }

        var batches = Prepare(count, batchSize, metadataEvery);
        var payloadBytes = batches.Sum(b => b.Snapshots.Sum(s => (long)Encoding.UTF8.GetByteCount(s.RawPayload!)));
        Console.WriteLine(FormattableString.Invariant(
            $"write: {count:N0} snapshots with derived rows, {batches.Count} batches of {batchSize:N0}, metadata upserted every {metadataEvery} batch(es), {parallel} writer(s) at once"));
        Console.WriteLine(FormattableString.Invariant(
            $"write: average raw payload {(double)payloadBytes / count:N0} bytes (3 runners, 1-10 levels a side), {payloadBytes / 1e6:N1} MB in all"));

        await using var target = await ScratchDatabase.CreateAsync();
        Console.WriteLine($"write: database: {target.Description}");
        await using var dataSource = NpgsqlDataSource.Create(target.ConnectionString);
        await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(null, dryRun: false, null, CancellationToken.None);
        var writer = new SnapshotWriter(dataSource, NullLogger<SnapshotWriter>.Instance);

        // The first batches warm up the JIT (tiered compilation needs ~30 calls), the pool and the column cache.
        var warmupBatches = Math.Min(WarmupBatches, batches.Count - 1);
        var inserted = 0;
        var derived = 0;
        foreach (var batch in batches.Take(warmupBatches))
        {
            var result = await writer.WriteAsync(batch, CancellationToken.None);
            inserted += result.SnapshotsInserted;
            derived += result.DerivedRowsInserted;
        }

        var timed = 0;
        var walStart = await WalPositionAsync(dataSource);
        var serverCpu = ServerCpu.Start(target.ServerProcessId);
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var queue = new Queue<SnapshotBatch>(batches.Skip(warmupBatches));
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                SnapshotBatch batch;
                lock (queue)
                {
                    if (!queue.TryDequeue(out batch!))
                    {
                        return;
                    }
                }

                var result = await writer.WriteAsync(batch, CancellationToken.None);
                Interlocked.Add(ref inserted, result.SnapshotsInserted);
                Interlocked.Add(ref derived, result.DerivedRowsInserted);
                Interlocked.Add(ref timed, batch.Snapshots.Count);
            }
        })));

        var seconds = watch.Elapsed.TotalSeconds;
        var clientSeconds = (Process.GetCurrentProcess().TotalProcessorTime - clientCpu).TotalSeconds;
        var serverSeconds = serverCpu.ElapsedSeconds();
        var walBytes = await WalBytesSinceAsync(dataSource, walStart);
        var timedBytes = payloadBytes * timed / count;
        var perSecond = timed / seconds;
        Console.WriteLine(FormattableString.Invariant(
            $"write: {perSecond:N0} snapshots/s with derived rows ({timed:N0} in {seconds:N2} s after {warmupBatches} warm-up batches), {timedBytes / 1e6 / seconds:N1} MB/s of payload"));

        Console.WriteLine(FormattableString.Invariant(
            $"write: CPU per snapshot: client {clientSeconds * 1e6 / timed:N0} us, server {(double.IsNaN(serverSeconds) ? "unknown (not a local throwaway cluster)" : $"{serverSeconds * 1e6 / timed:N0} us")}; {Environment.ProcessorCount} cores, load average {Machine.LoadAverage()}"));
        Console.WriteLine(FormattableString.Invariant(
            $"write: WAL {walBytes / 1e6:N1} MB, {(double)walBytes / timed:N0} bytes per snapshot ({(double)walBytes / timedBytes:N2}x the raw payload: heap, TOAST, indexes and full-page images)"));

        // Every snapshot again: the duplicate path (skipped and counted, nothing written).
        watch.Restart();
        var duplicates = 0;
        foreach (var batch in batches)
        {
            duplicates += (await writer.WriteAsync(batch, CancellationToken.None)).DuplicateSnapshots;
        }

        var duplicateSeconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine(FormattableString.Invariant($"write: rewriting all as duplicates: {count / duplicateSeconds:N0} snapshots/s, {duplicates:N0} counted"));

        await using (var connection = await dataSource.OpenConnectionAsync())
        await using (var command = new NpgsqlCommand(
            """
            select (select sum(pg_total_relation_size(relid))::bigint from pg_partition_tree('market_book_snapshots')),
                   (select sum(pg_total_relation_size(relid))::bigint from pg_partition_tree('market_derived_metrics'))
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            Console.WriteLine(FormattableString.Invariant(
                $"write: stored {inserted:N0} snapshots ({reader.GetInt64(0) / 1e6:N1} MB with indexes, {(double)reader.GetInt64(0) / inserted:N0} bytes each), {derived:N0} derived rows ({reader.GetInt64(1) / 1e6:N1} MB)"));
        }

        Console.WriteLine(FormattableString.Invariant($"write: target {Target:N0} snapshots/s, ratio {perSecond / Target:N2}x"));
        Figures.Add("write", $"snapshots + derived rows, {parallel} writer(s)", "snapshots/s", perSecond, Target, Goal.AtLeast);
        if (!double.IsNaN(serverSeconds))
        {
            // What the CPU cost allows when this machine does nothing else: client and server share its cores.
            var capacity = Environment.ProcessorCount * timed / (clientSeconds + serverSeconds);
            Console.WriteLine(FormattableString.Invariant(
                $"write: CPU-bound capacity of this machine when idle: ~{capacity:N0} snapshots/s ({Environment.ProcessorCount} cores / {(clientSeconds + serverSeconds) * 1e6 / timed:N0} us of CPU per snapshot), ratio {capacity / Target:N2}x"));
        }
        return inserted == count && derived == count && duplicates == count ? 0 : 1;
    }

    /// <summary>The server's current WAL insert position, to measure the WAL a timed section writes.</summary>
    private static async Task<string> WalPositionAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("select pg_current_wal_insert_lsn()::text");
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<long> WalBytesSinceAsync(NpgsqlDataSource dataSource, string start)
    {
        await using var command = dataSource.CreateCommand("select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1::pg_lsn)::bigint");
        command.Parameters.AddWithValue(start);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static List<SnapshotBatch> Prepare(int count, int batchSize, int metadataEvery)
    {
        var random = new Random(20261126);
        var roles = new RunnerRoles(BookGenerator.SelectionIds[0], BookGenerator.SelectionIds[1], BookGenerator.SelectionIds[2]);
        var markets = Enumerable.Range(0, batchSize).Select(i => string.Create(CultureInfo.InvariantCulture, $"1.{240000000 + i}")).ToArray();
        var metadata = markets.Select(id => new MarketMetadata(id)
        {
            MarketName = "Match Odds",
            SportId = "1",
            SportName = "Soccer",
            EventName = "Home FC v Away FC",
            CompetitionId = "10932509",
            CompetitionName = "English Premier League",
            HomeRunnerName = "Home FC",
            AwayRunnerName = "Away FC",
            DrawRunnerName = "The Draw",
        }.WithRoles(roles)).ToArray();

        var start = new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
        var batches = new List<SnapshotBatch>();
        for (var tick = 0; tick * batchSize < count; tick++)
        {
            var size = Math.Min(batchSize, count - (tick * batchSize));
            var snapshots = new SnapshotRecord[size];
            for (var m = 0; m < size; m++)
            {
                var payload = BookGenerator.Generate(random, markets[m]);
                var book = MarketBookReader.Read(payload);
                snapshots[m] = new SnapshotRecord(markets[m], start.AddSeconds(tick * 60))
                {
                    RawPayload = Encoding.UTF8.GetString(payload),
                    TotalMatched = book.TotalMatched,
                    Inplay = book.Inplay,
                    Status = book.Status,
                    DepthLimit = 10,
                    Derived = MetricEngine.Compute(book, roles).Row,
                };
            }

            batches.Add(new SnapshotBatch(tick % metadataEvery == 0 ? metadata[..size] : [], snapshots));
        }

        return batches;
    }

    /// <summary>CPU seconds used by a local PostgreSQL server: its postmaster's live children and the ones that exited.</summary>
    internal sealed class ServerCpu
    {
        private readonly int? _postmaster;
        private readonly double _start;

        private ServerCpu(int? postmaster)
        {
            _postmaster = postmaster;
            _start = Read(postmaster);
        }

        public static ServerCpu Start(int? postmaster) => new(OperatingSystem.IsLinux() ? postmaster : null);

        /// <summary>The postmaster of the server <paramref name="connection"/> is on, when that server runs on this machine.</summary>
        public static async Task<int?> FindPostmasterAsync(NpgsqlConnection connection)
        {
            await using var command = new NpgsqlCommand("select pg_backend_pid()", connection);
            var backend = Convert.ToInt32(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            try
            {
                var fields = File.ReadAllText($"/proc/{backend}/stat").Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return int.Parse(fields[1], CultureInfo.InvariantCulture); // after "(comm)": state, ppid
            }
            catch (IOException)
            {
                return null; // not a server on this machine
            }
        }

        public double ElapsedSeconds() => Read(_postmaster) - _start;

        private static double Read(int? postmaster)
        {
            if (postmaster is not { } parent)
            {
                return double.NaN;
            }

            var ticks = 0L;
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                var name = Path.GetFileName(directory);
                if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    continue;
                }

                try
                {
                    // Fields after "(comm)": state ppid ... utime(12) stime(13) cutime(14) cstime(15), counted from 1 at state.
                    var fields = File.ReadAllText(Path.Combine(directory, "stat")).Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    var ppid = int.Parse(fields[1], CultureInfo.InvariantCulture);
                    if (pid == parent)
                    {
                        ticks += long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
                    }
                    else if (ppid == parent)
                    {
                        ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                    }
                }
                catch (IOException)
                {
                    // The process ended meanwhile.
                }
            }

            return ticks / 100.0; // USER_HZ
        }
    }

    /// <summary>A database that exists for one run: on a new throwaway cluster, or new on NETBET_DB's server.</summary>
    private sealed class ScratchDatabase : IAsyncDisposable
    {
        private readonly PostgresCluster? _cluster;
        private readonly string? _server;
        private readonly string _name;

        private ScratchDatabase(PostgresCluster? cluster, string? server, string name, string connectionString, string description)
        {
            _cluster = cluster;
            _server = server;
            _name = name;
            ConnectionString = connectionString;
            Description = description;
        }

        public string ConnectionString { get; }

        public string Description { get; }

        /// <summary>The postmaster's pid when the server is a throwaway cluster on this machine.</summary>
        public int? ServerProcessId { get; private init; }

        public static async Task<ScratchDatabase> CreateAsync()
        {
            var name = "netbet_bench_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
            var configured = Environment.GetEnvironmentVariable(NetBetDatabase.ConnectionStringVariable);
            if (!string.IsNullOrWhiteSpace(configured))
            {
                await PostgresCluster.CreateDatabaseAsync(configured, name, template: null, CancellationToken.None);
                var connectionString = PostgresCluster.WithDatabase(configured, name);
                return new ScratchDatabase(null, configured, name, connectionString, $"NETBET_DB server, scratch database {NetBetDatabase.Describe(connectionString)}");
            }

            // Durable like the user's cluster (fsync on); only the directory is temporary.
            var cluster = await PostgresCluster.StartTemporaryAsync(new PostgresClusterOptions(), logger: null, CancellationToken.None);
            await cluster.EnsureDatabaseAsync(name, CancellationToken.None);
            return new ScratchDatabase(cluster, null, name, cluster.GetConnectionString(name), $"throwaway durable cluster in {cluster.Directory}")
            {
                ServerProcessId = (await cluster.GetStatusAsync(CancellationToken.None)).ProcessId,
            };
        }

        public async ValueTask DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            if (_cluster is not null)
            {
                await _cluster.DisposeAsync();
            }
            else
            {
                await PostgresCluster.DropDatabaseAsync(_server!, _name, CancellationToken.None);
            }
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Bench.Harness;
using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Data;
using NetBet.Data.Cluster;
using NetBet.Data.Migrations;
using NetBet.Data.Queries;
using NetBet.Data.Snapshots;
using Npgsql;

namespace NetBet.Bench;

/// <summary>
/// API latency under load: <c>api [N | --requests N] [--concurrency C[,C...]] [--warmup W] [--reads R]</c>. Seeds a
/// scratch database with one market holding a day of 1-minute snapshots (1,440 rows with derived metrics) among 200
/// other markets, starts the real web app (the built <c>NetBet.Web.dll</c>, Release when the bench is) on a loopback
/// port as a separate process, then, for <c>/api/events/{id}/timeseries?interval_minutes=1</c> (1,440 points, target
/// p99 &lt; 50 ms) and the default 15-minute buckets (96 points, target p99 &lt; 20 ms), with 1 and 4 concurrent
/// workers (default <c>1,4</c>), sends N requests (default 1,000) per way of asking: a new question each time (a
/// distinct far <c>to</c>, so the output cache never answers), the same question plain, brotli or gzip (the client
/// decodes), and revalidation with the ETag (304). Prints requests/s, bytes on the wire, the web app's CPU per
/// request and p50/p95/p99/max latency. Before that, <c>--reads R</c> (default 300, 0 skips) times the Data read
/// behind the 1,440-point answer in process (SQL plus row mapping, no HTTP or JSON), so a change to the mapping shows
/// undiluted; <c>--requests 0</c> runs only that.
/// </summary>
internal static class ApiBenchmark
{
    private const double TargetP99Ms = 50;
    private const double TargetDefaultP99Ms = 20;
    private const string MarketId = "1.800000001";
    private const int OtherMarkets = 200;
    private const int OtherSnapshotsPerMarket = 30;

    public static async Task<int> RunAsync(string[] args)
    {
        var requests = 1_000;
        int[] concurrency = [1, 4];
        var warmup = 100;
        var reads = 300;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--requests": requests = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--concurrency": concurrency = [.. args[++i].Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture))]; break;
                case "--warmup": warmup = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--reads": reads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case var text when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count): requests = count; break;
                default:
                    Console.Error.WriteLine($"api: unknown argument {args[i]}; usage: api [N | --requests N] [--concurrency C[,C...]] [--warmup W] [--reads R]");
                    return 2;
            }
        }

        var dll = LocateWebDll();
        if (!File.Exists(dll))
        {
            Console.Error.WriteLine($"api: {dll} is missing: build src/NetBet.Web in the bench's configuration, or set NETBET_WEB_DLL");
            return 2;
        }

        await using var databases = await ScratchDatabases.StartAsync("netbet_apibench", CancellationToken.None);
        var connectionString = await databases.CreateAsync(template: null, CancellationToken.None);
        Console.WriteLine($"api: database: {NetBetDatabase.Describe(connectionString)}");
        var seedWatch = Stopwatch.StartNew();
        await SeedAsync(connectionString);
        Console.WriteLine(FormattableString.Invariant(
            $"api: seeded {MarketId} with 1,440 one-minute snapshots and {OtherMarkets} other markets x {OtherSnapshotsPerMarket} in {seedWatch.Elapsed.TotalSeconds:N1} s"));

        if (reads > 0)
        {
            await ReportReadsAsync(connectionString, reads);
        }

        if (requests == 0)
        {
            return 0;
        }

        var port = FreePort();
        using var web = StartWeb(dll, connectionString, port);
        try
        {
            var baseAddress = new Uri($"http://127.0.0.1:{port}/");
            // No automatic decompression: the load loop decodes itself, so it can count the bytes on the wire.
            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency.Max() })
            {
                BaseAddress = baseAddress,
            };
            await WaitForHealthAsync(client, web);
            Console.WriteLine($"api: web app {dll} (pid {web.Id}) on {baseAddress}; {string.Join(" and ", concurrency)} workers, {requests:N0} requests per scenario after {warmup} warm-up requests");
            if (File.Exists("/proc/loadavg"))
            {
                // Latencies on a shared machine include waiting for a core; the load average says how busy it was.
                Console.WriteLine($"api: {Environment.ProcessorCount} cores, load average {(await File.ReadAllTextAsync("/proc/loadavg")).Trim()}");
            }

            var failed = false;
            var run = 0;
            foreach (var (name, path, target) in new[]
            {
                ("1,440 points (interval_minutes=1)", $"api/events/{MarketId}/timeseries?interval_minutes=1", TargetP99Ms),
                ("96 points (default 15 min)", $"api/events/{MarketId}/timeseries", TargetDefaultP99Ms),
            })
            {
                foreach (var workers in concurrency)
                {
                    foreach (var scenario in Scenarios)
                    {
                        // A fresh `to` far in the future per request: the same points, but a question the output
                        // cache has never seen, so every answer is read and serialised.
                        Func<int, string> pathOf = scenario.Uncached
                            ? i => FormattableString.Invariant($"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}to=2900-01-01T00:00:00Z&r={run}-{i}")
                            : _ => path;
                        var etag = scenario.Revalidate ? await ETagAsync(client, path) : null;
                        run++;
                        await LoadAsync(client, pathOf, scenario.Encoding, etag, Math.Min(warmup, requests), workers);
                        web.Refresh();
                        var cpuBefore = web.TotalProcessorTime;
                        var result = await LoadAsync(client, i => pathOf(i + requests), scenario.Encoding, etag, requests, workers);
                        web.Refresh();
                        failed |= result.Errors > 0;
                        Report($"{name}, {scenario.Name}, {workers} client{(workers == 1 ? "" : "s")}", result, (web.TotalProcessorTime - cpuBefore) / requests, target);
                    }
                }
            }

            return failed ? 1 : 0;
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

    /// <summary>One way of asking: encoding the client accepts (and decodes), revalidation with the ETag, or a new question each time.</summary>
    private sealed record Scenario(string Name, string? Encoding, bool Revalidate = false, bool Uncached = false);

    private static readonly Scenario[] Scenarios =
    [
        new("uncached (a new question each request), identity", null, Uncached: true),
        new("uncached, br", "br", Uncached: true),
        new("cached, identity", null),
        new("cached, br", "br"),
        new("cached, gzip", "gzip"),
        new("If-None-Match revalidation (304)", null, Revalidate: true),
    ];

    private static async Task<string> ETagAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return response.Headers.ETag?.ToString() ?? throw new InvalidOperationException($"{path} answered without an ETag");
    }

    /// <summary>One path asked <paramref name="requests"/> times by <paramref name="concurrency"/> clients, plain.</summary>
    internal static Task<LoadResult> LoadAsync(HttpClient client, string path, int requests, int concurrency) =>
        LoadAsync(client, _ => path, null, null, requests, concurrency);

    internal sealed record LoadResult(int Requests, int Errors, long Bytes, TimeSpan Elapsed, double[] LatenciesMs, TimeSpan DecodePerResponse);

    internal static async Task<LoadResult> LoadAsync(
        HttpClient client, Func<int, string> pathOf, string? encoding, string? etag, int requests, int concurrency)
    {
        var latencies = new double[requests];
        var next = -1;
        var errors = 0;
        long bytes = 0;
        long decodeTicks = 0;
        var expected = etag is null ? HttpStatusCode.OK : HttpStatusCode.NotModified;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            // One growing buffer per worker: the client's own allocations (2.7 MB per answer) would otherwise add GC
            // work on the cores the app needs.
            var buffer = new byte[1 << 20];
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(pathOf(i), UriKind.Relative));
                if (etag is not null)
                {
                    request.Headers.TryAddWithoutValidation("If-None-Match", etag);
                }

                if (encoding is not null)
                {
                    request.Headers.TryAddWithoutValidation("Accept-Encoding", encoding);
                }

                var started = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                var length = 0;
                await using (var stream = await response.Content.ReadAsStreamAsync())
                {
                    int read;
                    while ((read = await stream.ReadAsync(buffer.AsMemory(length))) > 0)
                    {
                        length += read;
                        if (length == buffer.Length)
                        {
                            Array.Resize(ref buffer, buffer.Length * 2);
                        }
                    }
                }

                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

                // Latency is to the last byte received; decoding is the client's own CPU, reported apart (a browser
                // decodes natively, and here it competes for the same two cores as the app and PostgreSQL).
                var decodeStarted = Stopwatch.GetTimestamp();
                var decoded = Decode(response.Content.Headers.ContentEncoding.FirstOrDefault(), buffer, length);
                Interlocked.Add(ref decodeTicks, Stopwatch.GetTimestamp() - decodeStarted);
                Interlocked.Add(ref bytes, length);
                if (response.StatusCode != expected || (encoding is not null && etag is null && decoded == length))
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })));
        return new LoadResult(requests, errors, bytes, watch.Elapsed, latencies, Stopwatch.GetElapsedTime(0, decodeTicks) / requests);
    }

    // The decoded length; a compressed answer that decodes to its own length was not compressed (counted an error).
    private static long Decode(string? encoding, byte[] body, int length)
    {
        if (encoding is null)
        {
            return length;
        }

        using var input = new MemoryStream(body, 0, length);
        using Stream decoder = encoding switch
        {
            "br" => new BrotliStream(input, CompressionMode.Decompress),
            "gzip" => new GZipStream(input, CompressionMode.Decompress),
            _ => throw new InvalidOperationException($"unexpected Content-Encoding {encoding}"),
        };
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = decoder.Read(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    // Server CPU per request says how much of the latency is the app's own work: on a busy 2-core machine the
    // latencies also carry waiting for a core (PostgreSQL and the load generator share them).
    private static void Report(string name, LoadResult result, TimeSpan serverCpuPerRequest, double targetP99Ms)
    {
        var sorted = result.LatenciesMs.Order().ToArray();
        double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        var p99 = P(0.99);
        Console.WriteLine(FormattableString.Invariant($"api: {name}"));
        Console.WriteLine(FormattableString.Invariant(
            $"  {result.Requests / result.Elapsed.TotalSeconds:N0} requests/s, {result.Bytes / (double)result.Requests / 1024:N1} KiB per response on the wire, {result.Errors} errors, web app CPU {serverCpuPerRequest.TotalMilliseconds:N2} ms per request, client decoding {result.DecodePerResponse.TotalMilliseconds:N2} ms per response"));
        Console.WriteLine(FormattableString.Invariant(
            $"  latency p50 {P(0.50):N2} ms, p95 {P(0.95):N2} ms, p99 {p99:N2} ms, max {sorted[^1]:N2} ms; target p99 < {targetP99Ms:N0} ms: {(p99 < targetP99Ms ? "met" : "MISSED")} ({targetP99Ms / p99:N1}x headroom)"));
        Figures.Add("api", $"{name} p99", "ms", p99, targetP99Ms, Goal.AtMost);
    }

    // Median wall time is robust to a shared machine's stalls; client CPU per read is the mapping's own cost (the
    // PostgreSQL server is another process).
    private static async Task ReportReadsAsync(string connectionString, int reads)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var markets = new MarketQueries(dataSource);
        var window = new TimeWindow(null, null);
        for (var i = 0; i < 50; i++)
        {
            await markets.GetTimeseriesAsync(MarketId, window, TimeSpan.FromMinutes(1), maxPoints: null, CancellationToken.None);
        }

        var latencies = new double[reads];
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var points = 0;
        for (var i = 0; i < reads; i++)
        {
            var started = Stopwatch.GetTimestamp();
            points = (await markets.GetTimeseriesAsync(MarketId, window, TimeSpan.FromMinutes(1), maxPoints: null, CancellationToken.None))!.Count;
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        process.Refresh();
        var cpuPerRead = (process.TotalProcessorTime - cpuBefore) / reads;
        Array.Sort(latencies);
        Console.WriteLine(FormattableString.Invariant(
            $"api: Data read of the timeseries ({points:N0} points) in process, {reads:N0} reads: median {latencies[reads / 2]:N2} ms, p95 {latencies[(int)(reads * 0.95)]:N2} ms, client CPU {cpuPerRead.TotalMilliseconds:N2} ms per read"));
    }

    private static async Task SeedAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(null, dryRun: false, null, CancellationToken.None);
        var writer = new SnapshotWriter(dataSource, NullLogger<SnapshotWriter>.Instance);
        var roles = new RunnerRoles(BookGenerator.SelectionIds[0], BookGenerator.SelectionIds[1], BookGenerator.SelectionIds[2]);
        var random = new Random(42);
        var day = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

        var markets = new List<MarketMetadata> { Market(MarketId, day.AddHours(20), roles) };
        markets.AddRange(Enumerable.Range(0, OtherMarkets).Select(i => Market($"1.80001{i:D4}", day.AddHours(i % 24), roles)));
        var snapshots = new List<SnapshotRecord>();
        for (var minute = 0; minute < 1440; minute++)
        {
            snapshots.Add(Snapshot(random, MarketId, day.AddMinutes(minute).AddSeconds(random.Next(0, 50)), roles));
        }

        await writer.WriteAsync(new SnapshotBatch(markets, snapshots), CancellationToken.None);
        for (var i = 0; i < OtherMarkets; i++)
        {
            var marketId = markets[i + 1].MarketId;
            var batch = Enumerable.Range(0, OtherSnapshotsPerMarket)
                .Select(k => Snapshot(random, marketId, day.AddMinutes(k * 3), roles))
                .ToList();
            await writer.WriteAsync(new SnapshotBatch(batch), CancellationToken.None);
        }

        await using var analyze = dataSource.CreateCommand("analyze");
        await analyze.ExecuteNonQueryAsync();
    }

    private static MarketMetadata Market(string marketId, DateTimeOffset start, RunnerRoles roles) =>
        new MarketMetadata(marketId)
        {
            MarketName = "Match Odds",
            MarketStartTime = start,
            EventName = $"Home {marketId} v Away",
            CompetitionId = "10932509",
            CompetitionName = "English Premier League",
            HomeRunnerName = "Home",
            AwayRunnerName = "Away",
            DrawRunnerName = "The Draw",
        }.WithRoles(roles);

    internal static SnapshotRecord Snapshot(Random random, string marketId, DateTimeOffset at, RunnerRoles roles)
    {
        var json = BookGenerator.Generate(random, marketId);
        var book = MarketBookReader.Read(json);
        return new SnapshotRecord(marketId, at)
        {
            RawPayload = Encoding.UTF8.GetString(json),
            TotalMatched = book.TotalMatched,
            Inplay = book.Inplay,
            Status = book.Status,
            DepthLimit = MetricColumns.DepthLimit,
            Derived = MetricEngine.Compute(book, roles).Row,
        };
    }

    // Same layout rule as `netbet serve`: <artifacts>/bin/NetBet.Bench/<config>/ -> <artifacts>/bin/NetBet.Web/<config>/.
    internal static string LocateWebDll()
    {
        if (Environment.GetEnvironmentVariable("NETBET_WEB_DLL") is { Length: > 0 } configured)
        {
            return Path.GetFullPath(configured);
        }

        var own = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
        return Path.GetFullPath(Path.Combine(own.FullName, "..", "..", "NetBet.Web", own.Name, "NetBet.Web.dll"));
    }

    internal static Process StartWeb(string dll, string connectionString, int port)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet")
        {
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["NETBET_DB"] = connectionString;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        // Drain the pipes so a chatty child never blocks on a full buffer.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                Console.Error.WriteLine($"web: {line}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    internal static async Task WaitForHealthAsync(HttpClient client, Process web)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (web.HasExited)
            {
                throw new InvalidOperationException($"the web app exited with code {web.ExitCode}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("api/health", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("the web app did not answer /api/health within 60 s");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

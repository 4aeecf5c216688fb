using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using NetBet.Bench.Harness;
using NetBet.Core.Stream;
using NetBet.Ingest.Streaming;

namespace NetBet.Bench;

/// <summary>
/// The live recorder's speed. (1) Bytes on a TLS socket to an updated cache: a loopback TLS server writes generated
/// deltas (1-3 markets, 1-2 runners, 1-4 levels each, like Betfair's) as fast as it can; the client reads lines with
/// the recorder's <see cref="StreamConnection"/> and applies them to a <see cref="StreamCache"/>; an update is one
/// ladder level. (2) A recorder holding 1,000 markets at 1-second sampling: 60 s of stream time at 2,000 messages/s,
/// every market rendered and captured (MetricEngine) every second, no database; CPU per second of stream time.
/// </summary>
internal static class StreamLiveBenchmark
{
    private const double TargetUpdatesPerCore = 1_000_000;
    private const int Markets = 1000;

    public static async Task<int> RunAsync(string[] args)
    {
        var lines = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 400_000;
        var (payload, updates) = Generate(lines, seed: 7);
        Console.WriteLine(FormattableString.Invariant($"stream-live: {lines:N0} delta lines, {payload.Length:N0} bytes, {updates:N0} price-level updates per pass"));
        await SocketToCacheAsync(payload, updates, passes: 1); // warm-up
        await SocketToCacheAsync(payload, updates, passes: 5);
        Recorder();
        return 0;
    }

    private static async Task SocketToCacheAsync(byte[] payload, long updatesPerPass, int passes)
    {
        using var certificate = SelfSigned();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serving = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            await using var tls = new SslStream(client.GetStream());
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate });
            for (var i = 0; i < passes; i++)
            {
                await tls.WriteAsync(payload);
            }

            await tls.FlushAsync();
        });

        var caPath = Path.GetTempFileName();
        await File.WriteAllTextAsync(caPath, certificate.ExportCertificatePem());
        using var ca = X509CertificateLoader.LoadCertificateFromFile(caPath);
        await using var connection = await StreamConnection.ConnectAsync("127.0.0.1", port, ca, CancellationToken.None);
        var cache = new StreamCache();
        long applied = 0;
        var thread = Stopwatch.StartNew();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        while (true)
        {
            var (found, line) = await connection.ReadLineAsync(CancellationToken.None);
            if (!found)
            {
                break;
            }

            applied += cache.Apply(line.Span).Updates;
            if (applied >= updatesPerPass * passes)
            {
                break;
            }
        }

        thread.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        await serving;
        listener.Stop();
        File.Delete(caPath);
        if (passes > 1)
        {
            var perWall = applied / thread.Elapsed.TotalSeconds;
            var perCpu = applied / Math.Max(cpu.TotalSeconds, 1e-9);
            Console.WriteLine(FormattableString.Invariant(
                $"socket -> cache: {applied:N0} updates, {connection.BytesRead:N0} bytes over TLS in {thread.Elapsed.TotalSeconds:0.00} s: {perWall:N0} updates/s wall; {perCpu:N0} updates per CPU-second of the whole process (TLS server included); target >= {TargetUpdatesPerCore:N0}/s per core: {perCpu / TargetUpdatesPerCore:0.00}x"));
            Figures.Add("stream-live", "TLS socket to updated cache, per CPU-second of the process", "updates/s", perCpu, TargetUpdatesPerCore, Goal.AtLeast);
        }
    }

    private static void Recorder()
    {
        var cache = new StreamCache();
        using var recorder = new StreamRecorder(cache, TimeSpan.FromSeconds(1), recording: null);
        var listener = recorder;
        var start = new DateTimeOffset(2026, 11, 28, 13, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var image = Image(start);
        void Feed(byte[] line)
        {
            var result = cache.Apply(line, listener.BeforeApply);
            listener.Applied(line, result);
        }

        Feed(image);
        var random = new Random(3);
        const int MessagesPerSecond = 2000;
        const int Seconds = 60;
        var deltas = new byte[MessagesPerSecond * Seconds][];
        for (var i = 0; i < deltas.Length; i++)
        {
            var pt = start + 1 + (i * 1000L / MessagesPerSecond);
            deltas[i] = Encoding.UTF8.GetBytes(Delta(random, pt));
        }

        var drained = 0L;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        foreach (var delta in deltas)
        {
            Feed(delta);
            while (recorder.Snapshots.TryRead(out _))
            {
                drained++;
            }
        }

        wall.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        Console.WriteLine(FormattableString.Invariant(
            $"recorder: {Markets:N0} markets, every 1 s, {Seconds} s of stream time at {MessagesPerSecond:N0} messages/s: {drained:N0} snapshots rendered and captured in {wall.Elapsed.TotalSeconds:0.00} s wall, {cpu.TotalSeconds:0.00} s CPU = {cpu.TotalSeconds / Seconds * 100:0.0}% of one core per second of stream time (database writes not included)"));
    }

    private static byte[] Image(long pt)
    {
        var builder = new StringBuilder(FormattableString.Invariant($$"""{"op":"mcm","clk":"1","initialClk":"1","pt":{{pt}},"ct":"SUB_IMAGE","mc":["""));
        for (var m = 0; m < Markets; m++)
        {
            if (m > 0)
            {
                builder.Append(',');
            }

            builder.Append(FormattableString.Invariant($$"""{"id":"1.{{m + 100}}","img":true,"marketDefinition":{"eventTypeId":"1","marketType":"MATCH_ODDS","status":"OPEN","inPlay":false,"runners":[{"id":{{(m * 10) + 1}},"sortPriority":1},{"id":{{(m * 10) + 2}},"sortPriority":2},{"id":58805,"sortPriority":3}]},"rc":["""));
            for (var r = 0; r < 3; r++)
            {
                var id = r == 2 ? 58805 : (m * 10) + r + 1;
                builder.Append(FormattableString.Invariant($$"""{{(r > 0 ? "," : "")}}{"id":{{id}},"atb":[[2.0,100],[1.99,200],[1.98,300],[1.97,50],[1.96,80]],"atl":[[2.02,100],[2.04,90],[2.06,70],[2.08,60],[2.1,50]],"trd":[[2.0,1000]],"ltp":2.0,"tv":1000}"""));
            }

            builder.Append("]}");
        }

        builder.Append("]}");
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private static string Delta(Random random, long pt)
    {
        var builder = new StringBuilder(FormattableString.Invariant($$"""{"op":"mcm","clk":"{{pt}}","pt":{{pt}},"mc":["""));
        var markets = random.Next(1, 4);
        for (var m = 0; m < markets; m++)
        {
            var market = random.Next(Markets);
            builder.Append(FormattableString.Invariant($$"""{{(m > 0 ? "," : "")}}{"id":"1.{{market + 100}}","rc":["""));
            var runners = random.Next(1, 3);
            for (var r = 0; r < runners; r++)
            {
                var runner = random.Next(3);
                var id = runner == 2 ? 58805 : (market * 10) + runner + 1;
                builder.Append(FormattableString.Invariant($$"""{{(r > 0 ? "," : "")}}{"id":{{id}},"atb":["""));
                var levels = random.Next(1, 5);
                for (var l = 0; l < levels; l++)
                {
                    var price = 1.9 + (random.Next(10) / 100.0);
                    builder.Append(FormattableString.Invariant($"{(l > 0 ? "," : "")}[{price:0.00},{random.Next(0, 500)}]"));
                }

                builder.Append("]}");
            }

            builder.Append("]}");
        }

        builder.Append("]}");
        return builder.ToString();
    }

    private static (byte[] Payload, long Updates) Generate(int lines, int seed)
    {
        var random = new Random(seed);
        var cache = new StreamCache();
        using var buffer = new MemoryStream();
        var image = Image(1_000_000);
        buffer.Write(image);
        buffer.Write("\r\n"u8);
        var updates = cache.Apply(image).Updates;
        for (var i = 0; i < lines; i++)
        {
            var line = Encoding.UTF8.GetBytes(Delta(random, 1_000_001 + i));
            updates += cache.Apply(line).Updates;
            buffer.Write(line);
            buffer.Write("\r\n"u8);
        }

        return (buffer.ToArray(), updates);
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}

using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetBet.Cli.Hosting;
using NetBet.Core.Stream;
using NetBet.Data.Snapshots;
using NetBet.Data.State;
using NetBet.Ingest.Betfair;
using NetBet.Ingest.Spool;
using NetBet.Ingest.Streaming;

namespace NetBet.Cli.Ingest;

/// <summary><c>netbet ingest stream</c>: records football MATCH_ODDS books live from the Betfair Exchange Stream API.</summary>
internal sealed class StreamCommand : Command
{
    public StreamCommand()
        : base("stream", """
            Record football MATCH_ODDS books live from the Betfair Exchange Stream API: log in as 'ingest poll' does,
            subscribe over TLS (EX_ALL_OFFERS, EX_TRADED, EX_TRADED_VOL, EX_LTP, EX_MARKET_DEF), rebuild every market
            from the stream and store a snapshot of each open market at every multiple of --every of the stream's
            publish time (the book carried forward when nothing changed) and at every status or in-play change, as a
            listMarketBook MarketBook with its derived row (source exchange_stream). Reconnects on its own and resumes
            with clk; --record DIR also keeps every message raw (gzip, Betfair's historical layout) for
            'ingest import DIR --carry-forward'. No captured book is lost: each batch goes to a local spool (--spool,
            fsync'd) before the database and leaves it after the commit; the backlog is replayed oldest first (the
            database down, a crash). Runs until SIGINT/SIGTERM or --duration; the last stdout line is the summary.
            Exit 0; 2 on bad arguments; 4 when Betfair refuses the credentials or the subscription.

            Examples:
              ./netbet ingest stream --every 60s -v normal
              ./netbet ingest stream --endpoint http://127.0.0.1:5057 --stream-endpoint 127.0.0.1:5058 --stream-ca sim-ca.pem --every 5s --duration 2m --record recordings/
            """)
    {
        Options.Add(Endpoint);
        Options.Add(StreamEndpoint);
        Options.Add(StreamCa);
        Options.Add(Country);
        Options.Add(Market);
        Options.Add(HeartbeatMs);
        Options.Add(ConflateMs);
        Options.Add(Every);
        Options.Add(Duration);
        Options.Add(Record);
        Options.Add(Spool);
        Options.Add(SpoolMaxBytes);
        CliHost.AddCheck(SpoolMaxBytes, bytes => bytes >= 1 ? null : "must be at least 1");
        SetAction((parseResult, cancellationToken) => RunAsync(parseResult, Console.Out, Console.Error, cancellationToken));
    }

    public Option<Uri?> Endpoint { get; } = new PollCommand().Endpoint;

    public Option<string> StreamEndpoint { get; } = new("--stream-endpoint")
    {
        Description = "Exchange Stream API host and port.",
        DefaultValueFactory = _ => StreamOptions.DefaultEndpoint,
        HelpName = "host:port",
    };

    public Option<FileInfo?> StreamCa { get; } = new("--stream-ca")
    {
        Description = "PEM file of a CA to trust in addition to the system's (e.g. the simulator's --stream-cert-out). Validation is never turned off.",
        HelpName = "file",
    };

    public Option<string[]> Country { get; } = new("--country") { Description = "Only events in these country codes (repeatable), e.g. GB.", HelpName = "code" };

    public Option<string[]> Market { get; } = new("--market") { Description = "Only these market ids (repeatable).", HelpName = "id" };

    public Option<int> HeartbeatMs { get; } = new Option<int>("--heartbeat-ms")
    {
        Description = "Heartbeat interval asked of the server, 500..30000; silence for twice this long reconnects.",
        DefaultValueFactory = _ => 5000,
    }.Between(500, 30_000);

    public Option<int> ConflateMs { get; } = new Option<int>("--conflate-ms")
    {
        Description = "Conflation asked of the server, 0..120000 (0: every change).",
        DefaultValueFactory = _ => 0,
    }.Between(0, 120_000);

    public Option<TimeSpan> Every { get; } = Durations.CreateOption(
        "--every", "Snapshot grid in stream time, UTC aligned", TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));

    // CancelAfter takes at most about 49 days; a recorder meant to run for good simply omits --duration.
    public Option<TimeSpan?> Duration { get; } = Durations.CreateOptionalOption(
        "--duration", "Stop after this long; default: until SIGINT/SIGTERM", TimeSpan.FromSeconds(1), TimeSpan.FromDays(30));

    public Option<DirectoryInfo?> Record { get; } = new("--record") { Description = "Also write every received message raw: DIR/yyyy-MM-dd/MARKET_ID.gz.", HelpName = "dir" };

    public Option<string?> Spool { get; } = new("--spool")
    {
        Description = "Directory of the recorder's spool of not-yet-stored batches (default: $NETBET_HOME/spool/stream).",
        HelpName = "dir",
    };

    public Option<long> SpoolMaxBytes { get; } = new("--spool-max-bytes")
    {
        Description = "Most bytes the spool may hold; when full, batches wait in memory and are retried (default 1 GiB).",
        DefaultValueFactory = _ => SnapshotSpool.DefaultMaxBytes,
        HelpName = "bytes",
    };

    /// <summary>The recorder's spool directory when <c>--spool</c> is not given: its own, beside the poller's.</summary>
    internal static string DefaultSpoolDirectory() => Path.Combine(SnapshotSpool.DefaultDirectory(), "stream");

    /// <summary>Runs the recorder; returns the exit code.</summary>
    public async Task<int> RunAsync(ParseResult parseResult, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        if (Validate(parseResult, out var streamOptions) is { } problem)
        {
            await stderr.WriteLineAsync($"netbet ingest stream: {problem}");
            return ExitCodes.InvalidInput;
        }

        var every = parseResult.GetValue(Every);
        var betfair = BetfairOptions.FromEnvironment();
        if (parseResult.GetValue(Endpoint) is { } endpoint)
        {
            // A simulator accepts any credentials; real ones are never needed to try it out.
            betfair.UseEndpoint(endpoint).UsePlaceholderCredentialsIfUnset();
        }

        if ((betfair.CredentialProblem() ?? betfair.EndpointProblem()) is { } credentialProblem)
        {
            await stderr.WriteLineAsync($"netbet ingest stream: {credentialProblem}");
            return ExitCodes.InvalidInput;
        }

        using var loggers = CliHost.CreateLoggerFactory(parseResult);
        SnapshotSpool spool;
        try
        {
            spool = SnapshotSpool.Open(parseResult.GetValue(Spool) ?? DefaultSpoolDirectory(), parseResult.GetValue(SpoolMaxBytes),
                loggers.CreateLogger<SnapshotSpool>());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"netbet ingest stream: --spool: {e.Message}");
            return ExitCodes.InvalidInput;
        }

        using var spoolLock = spool;

        // SIGTERM (systemd) and SIGINT both mean: stop reading, store (or spool) what was captured, exit.
        using var stop = CliHost.ListenForStop(cancellationToken);
        if (parseResult.GetValue(Duration) is { } limit)
        {
            stop.CancelAfter(limit);
        }

        // The database may be down at start: batches wait in the spool until it is back.
        await using var services = await CliHost.BuildServicesAsync(parseResult, requireConnection: false, stop.Token);
        using var client = new BetfairClient(betfair, services.GetRequiredService<ILogger<BetfairClient>>());
        var recordDirectory = parseResult.GetValue(Record)?.FullName;
        var cache = new StreamCache();
        using var recorder = new StreamRecorder(cache, every, recordDirectory is null ? null : new StreamRecording(recordDirectory));
        var stream = new ExchangeStreamClient(streamOptions, client, cache, recorder, services.GetRequiredService<ILogger<ExchangeStreamClient>>());
        var store = new StreamSnapshotStore(
            services.GetRequiredService<SnapshotWriter>(), services.GetRequiredService<ServiceState>(), client,
            services.GetRequiredService<ILogger<StreamSnapshotStore>>(), spool);
        using var storeStop = new CancellationTokenSource();
        var storing = store.RunAsync(recorder, stream, storeStop.Token);
        var exitCode = ExitCodes.Success;
        try
        {
            await stream.RunAsync(stop.Token);
        }
        catch (StreamRefusedException e)
        {
            await stderr.WriteLineAsync($"netbet ingest stream: {e.Message}");
            exitCode = ExitCodes.CredentialsRefused;
        }
        catch (BetfairApiException e) when (e.IsCredentialsRefused)
        {
            await stderr.WriteLineAsync($"netbet ingest stream: login refused: {e.Message}");
            exitCode = ExitCodes.CredentialsRefused;
        }
        finally
        {
            recorder.Complete();

            // Finish storing; what the database does not take within half a minute stays in the spool.
            storeStop.CancelAfter(TimeSpan.FromSeconds(30));
            await storing;
            using var logoutTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.LogoutAsync(logoutTimeout.Token);
        }

        var counters = stream.Counters;
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Stream: {recorder.Markets} markets, {counters.Messages} messages, {store.Inserted} snapshots stored ({store.Duplicates} duplicates), {counters.Reconnects} reconnects, {counters.Conflated} conflated, {counters.Stale} stale (503); last clk {counters.Clk ?? "none"}"));
        return exitCode;
    }

    private string? Validate(ParseResult parseResult, out StreamOptions options)
    {
        options = new StreamOptions();
        if (options.UseEndpoint(parseResult.GetValue(StreamEndpoint) ?? "") is { } endpointProblem)
        {
            return $"--stream-endpoint: {endpointProblem}";
        }

        if (parseResult.GetValue(StreamCa) is { } ca)
        {
            if (!ca.Exists)
            {
                return $"--stream-ca: cannot read {ca.FullName}";
            }

            try
            {
                using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(ca.FullName);
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                return $"--stream-ca: {ca.FullName} is not a PEM or DER certificate ({e.Message})";
            }

            options.ExtraCaPath = ca.FullName;
        }

        options.HeartbeatMs = parseResult.GetValue(HeartbeatMs);
        options.ConflateMs = parseResult.GetValue(ConflateMs);
        options.CountryCodes = [.. (parseResult.GetValue(Country) ?? []).Select(c => c.Trim().ToUpperInvariant())];
        options.MarketIds = [.. (parseResult.GetValue(Market) ?? []).Select(m => m.Trim())];
        return null;
    }
}

using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetBet.Cli.Hosting;
using NetBet.Core.Stream;
using NetBet.Data.Snapshots;
using NetBet.Data.State;
using NetBet.Ingest.Betfair;
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
            'ingest import DIR --carry-forward'. Runs until SIGINT/SIGTERM or --duration; the last stdout line is the
            summary. Exit 0; 2 on bad arguments; 4 when Betfair refuses the credentials or the subscription.

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

    public Option<int> HeartbeatMs { get; } = new("--heartbeat-ms")
    {
        Description = "Heartbeat interval asked of the server, 500..30000; silence for twice this long reconnects.",
        DefaultValueFactory = _ => 5000,
    };

    public Option<int> ConflateMs { get; } = new("--conflate-ms") { Description = "Conflation asked of the server, 0..120000 (0: every change).", DefaultValueFactory = _ => 0 };

    public Option<string> Every { get; } = new("--every")
    {
        Description = "Snapshot grid in stream time, UTC aligned, at least 1s: 60s, 5s, 1m.",
        DefaultValueFactory = _ => "60s",
        HelpName = "duration",
    };

    public Option<string?> Duration { get; } = new("--duration") { Description = "Stop after this long (30s, 10m); default: until SIGINT/SIGTERM.", HelpName = "duration" };

    public Option<DirectoryInfo?> Record { get; } = new("--record") { Description = "Also write every received message raw: DIR/yyyy-MM-dd/MARKET_ID.gz.", HelpName = "dir" };

    /// <summary>Runs the recorder; returns the exit code.</summary>
    public async Task<int> RunAsync(ParseResult parseResult, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        if (Validate(parseResult, out var streamOptions, out var every, out var duration) is { } problem)
        {
            await stderr.WriteLineAsync($"netbet ingest stream: {problem}");
            return ExitCodes.InvalidInput;
        }

        var betfair = BetfairOptions.FromEnvironment();
        if (parseResult.GetValue(Endpoint) is { } endpoint)
        {
            betfair.UseEndpoint(endpoint);
            if (betfair.AppKey is null && betfair.Username is null && betfair.Password is null)
            {
                // A simulator accepts any credentials; real ones are never needed to try it out.
                (betfair.AppKey, betfair.Username, betfair.Password) = ("netbet-simulator", "simulator", "simulator");
            }
        }

        if (PollCommand.MissingCredentials(betfair) is { } missing)
        {
            await stderr.WriteLineAsync($"netbet ingest stream: {missing}");
            return ExitCodes.InvalidInput;
        }

        // SIGTERM (systemd) and SIGINT both mean: stop reading, store what was captured, exit.
        using var stop = new StopSignals(cancellationToken);
        if (duration is { } limit)
        {
            stop.CancelAfter(limit);
        }

        await using var services = await CliHost.BuildServicesAsync(parseResult, stop.Token);
        using var client = new BetfairClient(betfair, services.GetRequiredService<ILogger<BetfairClient>>());
        var recordDirectory = parseResult.GetValue(Record)?.FullName;
        var cache = new StreamCache();
        using var recorder = new StreamRecorder(cache, every, recordDirectory is null ? null : new StreamRecording(recordDirectory));
        var stream = new ExchangeStreamClient(streamOptions, client, cache, recorder, services.GetRequiredService<ILogger<ExchangeStreamClient>>());
        var store = new StreamSnapshotStore(
            services.GetRequiredService<SnapshotWriter>(), services.GetRequiredService<ServiceState>(), client,
            services.GetRequiredService<ILogger<StreamSnapshotStore>>());
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
        catch (BetfairApiException e)
        {
            await stderr.WriteLineAsync($"netbet ingest stream: login refused: {e.Message}");
            exitCode = ExitCodes.CredentialsRefused;
        }
        finally
        {
            recorder.Complete();

            // Finish the spool writes; a database that stays away for half a minute more loses the rest.
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

    private string? Validate(ParseResult parseResult, out StreamOptions options, out TimeSpan every, out TimeSpan? duration)
    {
        options = new StreamOptions();
        duration = null;
        every = default;
        if (!ImportCommand.TryParseDuration(parseResult.GetValue(Every), out every) || every < TimeSpan.FromSeconds(1))
        {
            return $"--every: '{parseResult.GetValue(Every)}' is not a duration of at least 1s, such as 60s or 5s";
        }

        if (parseResult.GetValue(Duration) is { } durationText)
        {
            if (!ImportCommand.TryParseDuration(durationText, out var limit) || limit <= TimeSpan.Zero)
            {
                return $"--duration: '{durationText}' is not a positive duration such as 30s or 10m";
            }

            duration = limit;
        }

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

        var heartbeat = parseResult.GetValue(HeartbeatMs);
        if (heartbeat is < 500 or > 30_000)
        {
            return "--heartbeat-ms must be between 500 and 30000";
        }

        var conflate = parseResult.GetValue(ConflateMs);
        if (conflate is < 0 or > 120_000)
        {
            return "--conflate-ms must be between 0 and 120000";
        }

        options.HeartbeatMs = heartbeat;
        options.ConflateMs = conflate;
        options.CountryCodes = [.. (parseResult.GetValue(Country) ?? []).Select(c => c.Trim().ToUpperInvariant())];
        options.MarketIds = [.. (parseResult.GetValue(Market) ?? []).Select(m => m.Trim())];
        return null;
    }
}

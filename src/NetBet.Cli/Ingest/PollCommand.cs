using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetBet.Cli.Hosting;
using NetBet.Data.Snapshots;
using NetBet.Data.State;
using NetBet.Ingest.Betfair;
using NetBet.Ingest.Polling;
using NetBet.Ingest.Spool;

namespace NetBet.Cli.Ingest;

/// <summary><c>netbet ingest poll</c>: polls Betfair API-NG for football MATCH_ODDS books and stores them.</summary>
internal sealed class PollCommand : Command
{
    public PollCommand()
        : base("poll", """
            Poll Betfair API-NG: every tick lists football MATCH_ODDS markets starting within the window, fetches their
            full books (EX_ALL_OFFERS) and stores raw snapshots with derived rows, one transaction per tick.
            Credentials come from the environment: NETBET_BETFAIR_APP_KEY, NETBET_BETFAIR_USERNAME,
            NETBET_BETFAIR_PASSWORD, and NETBET_BETFAIR_CERT / NETBET_BETFAIR_KEY (PEM files) for certificate login.
            With --endpoint and no credentials set, placeholder ones are used (for 'netbet exchange simulate').
            Ticks never overlap; a failed tick is logged and the next one runs; SIGINT/SIGTERM finish the current
            tick, then exit 0. --once runs one tick: exit 0 when it stored snapshots, 1 otherwise.
            No fetched book is lost: each tick's books are written to a local spool (--spool, fsync'd) before the
            database transaction and removed after the commit; every tick, and every start, first replays what the
            spool holds (the database down, a crash). A listMarketBook request failing after its retries loses only
            its own markets. Betfair refusing the credentials (INVALID_USERNAME_OR_PASSWORD, ACCOUNT_NOW_LOCKED, ...)
            stops at once with exit 4; failed logins otherwise back off up to 10 minutes. Credentials are sent only
            to https:// endpoints or loopback http:// ones (else exit 2).

            Examples:
              ./netbet ingest poll --interval 60s --window-hours 24 -v normal
              ./netbet ingest poll --once --endpoint http://127.0.0.1:5057
            """)
    {
        Options.Add(Interval);
        Options.Add(WindowHours);
        Options.Add(MaxMarkets);
        Options.Add(Once);
        Options.Add(Endpoint);
        Options.Add(Spool);
        Options.Add(SpoolMaxBytes);
        CliHost.AddCheck(SpoolMaxBytes, bytes => bytes >= 1 ? null : "must be at least 1");
        CliHost.AddCheck(WindowHours, PollerOptions.CheckWindowHours);
        CliHost.AddCheck(MaxMarkets, PollerOptions.CheckMaxMarkets);
        SetAction((parseResult, cancellationToken) => RunAsync(parseResult, cancellationToken));
    }

    public Option<TimeSpan> Interval { get; } = Durations.CreateOption(
        "--interval", "Time between tick starts", TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));

    public Option<double> WindowHours { get; } = new("--window-hours")
    {
        Description = "Poll markets starting up to this many hours ahead (in-play markets are always included).",
        DefaultValueFactory = _ => 24,
    };

    public Option<int> MaxMarkets { get; } = new("--max-markets")
    {
        Description = "Most markets per tick, first to start first.",
        DefaultValueFactory = _ => 1000,
    };

    public Option<bool> Once { get; } = new("--once") { Description = "Run one tick and exit: 0 when it stored snapshots, 1 otherwise." };

    public Option<Uri?> Endpoint { get; } = new("--endpoint")
    {
        Description = "Base URL of an API-NG lookalike serving /api/... and /exchange/betting/rest/v1.0/... (default: Betfair).",
        HelpName = "url",
        CustomParser = ParseEndpoint,
    };

    public Option<string?> Spool { get; } = CreateSpoolOption();

    public Option<long> SpoolMaxBytes { get; } = new("--spool-max-bytes")
    {
        Description = "Most bytes the spool may hold; when full it says so on every tick and spools nothing more (default 1 GiB).",
        DefaultValueFactory = _ => SnapshotSpool.DefaultMaxBytes,
        HelpName = "bytes",
    };

    /// <summary><c>--spool DIR</c>, shared with <c>netbet status</c>, which shows the backlog.</summary>
    internal static Option<string?> CreateSpoolOption() => new("--spool")
    {
        Description = "Directory of the poller's spool of not-yet-stored ticks (default: $NETBET_HOME/spool).",
        HelpName = "dir",
    };

    private static Uri? ParseEndpoint(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        result.AddError($"--endpoint: '{text}' is not an http:// or https:// URL");
        return null;
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var betfair = BetfairOptions.FromEnvironment();
        if (parseResult.GetValue(Endpoint) is { } endpoint)
        {
            betfair.UseEndpoint(endpoint).UsePlaceholderCredentialsIfUnset();
        }

        if ((betfair.CredentialProblem() ?? betfair.EndpointProblem()) is { } problem)
        {
            await Console.Error.WriteLineAsync($"netbet ingest poll: {problem}");
            return ExitCodes.InvalidInput;
        }

        using var loggers = CliHost.CreateLoggerFactory(parseResult);
        using var spool = await OpenSpoolAsync(parseResult, loggers);
        if (spool is null)
        {
            return ExitCodes.InvalidInput;
        }

        var pollerOptions = new PollerOptions
        {
            WindowHours = parseResult.GetValue(WindowHours),
            MaxMarkets = parseResult.GetValue(MaxMarkets),
        };

        // SIGTERM (systemd, docker stop) and SIGINT both mean: finish the current tick, then exit.
        using var stop = CliHost.ListenForStop(cancellationToken);

        // The database may be down at start: the ticks wait in the spool until it is back.
        await using var services = await CliHost.BuildServicesAsync(parseResult, requireConnection: false, stop.Token, s =>
        {
            s.AddSingleton(sp => new BetfairClient(betfair, sp.GetRequiredService<ILogger<BetfairClient>>()));
            s.AddSingleton(sp => new MarketPoller(
                sp.GetRequiredService<BetfairClient>(),
                sp.GetRequiredService<SnapshotWriter>(),
                sp.GetRequiredService<ServiceState>(),
                sp.GetRequiredService<TimeProvider>(),
                pollerOptions,
                sp.GetRequiredService<ILogger<MarketPoller>>(),
                spool));
        });
        var poller = services.GetRequiredService<MarketPoller>();
        var client = services.GetRequiredService<BetfairClient>();
        try
        {
            if (parseResult.GetValue(Once))
            {
                return await RunOnceAsync(poller, stop.Token);
            }

            await poller.RunAsync(parseResult.GetValue(Interval), stop.Token);
            return ExitCodes.Success;
        }
        catch (BetfairApiException e) when (e.IsCredentialsRefused)
        {
            await Console.Error.WriteLineAsync(
                $"netbet ingest poll: Betfair refused the credentials ({e.ErrorCode}): {e.Message}; stopped without trying again (fix NETBET_BETFAIR_* and start again)");
            return ExitCodes.CredentialsRefused;
        }
        finally
        {
            using var logoutTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.LogoutAsync(logoutTimeout.Token);
        }
    }

    private async Task<SnapshotSpool?> OpenSpoolAsync(ParseResult parseResult, ILoggerFactory loggers)
    {
        try
        {
            return SnapshotSpool.Open(parseResult.GetValue(Spool) ?? SnapshotSpool.DefaultDirectory(), parseResult.GetValue(SpoolMaxBytes),
                loggers.CreateLogger<SnapshotSpool>());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"netbet ingest poll: --spool: {e.Message}");
            return null;
        }
    }

    private static async Task<int> RunOnceAsync(MarketPoller poller, CancellationToken cancellationToken)
    {
        PollTickSummary summary;
        try
        {
            summary = await poller.RunTickAsync(cancellationToken);
        }
        catch (Exception e) when (MarketPoller.IsTickFailure(e))
        {
            await Console.Error.WriteLineAsync($"netbet ingest poll: tick failed: {e.Message}");
            return ExitCodes.Failed;
        }

        var skipped = summary.Skipped.Count == 0 ? "none" : string.Join(", ", summary.Skipped.Select(s => $"{s.Key}: {s.Value}"));
        await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Poll tick {summary.At:O}: {summary.MarketsPolled} markets polled, {summary.SnapshotsInserted} snapshots stored, {summary.Duplicates} duplicates, {summary.DerivedRows} derived rows; skipped: {skipped}"));
        if (summary.FailedMarkets.Count > 0)
        {
            await Console.Error.WriteLineAsync($"netbet ingest poll: listMarketBook failed after retries for {summary.FailedMarkets.Count} markets: {string.Join(", ", summary.FailedMarkets)}");
        }

        if (summary.Spooled)
        {
            await Console.Error.WriteLineAsync("netbet ingest poll: the database could not take the tick; it is kept in the spool for the next run");
        }

        return summary.SnapshotsInserted > 0 ? ExitCodes.Success : ExitCodes.Failed;
    }
}

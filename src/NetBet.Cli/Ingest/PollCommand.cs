using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetBet.Cli.Hosting;
using NetBet.Data.Snapshots;
using NetBet.Data.State;
using NetBet.Ingest.Betfair;
using NetBet.Ingest.Polling;

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
        WindowHours.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is <= 0 or > 24 * 14)
            {
                result.AddError("--window-hours must be above 0 and at most 336");
            }
        });
        MaxMarkets.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--max-markets must be at least 1");
            }
        });
        SetAction((parseResult, cancellationToken) => RunAsync(parseResult, cancellationToken));
    }

    public Option<TimeSpan> Interval { get; } = new("--interval")
    {
        Description = "Time between tick starts: 60s, 5m, 500ms, 1h or hh:mm:ss.",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(60),
        CustomParser = ParseDuration,
        HelpName = "duration",
    };

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

    /// <summary>Parses <c>500ms</c>, <c>60s</c>, <c>5m</c>, <c>1h</c> or a <see cref="TimeSpan"/> such as <c>00:01:00</c>.</summary>
    internal static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        text = text.Trim();
        (string Suffix, Func<double, TimeSpan> Make)[] units =
            [("ms", TimeSpan.FromMilliseconds), ("s", TimeSpan.FromSeconds), ("m", TimeSpan.FromMinutes), ("h", TimeSpan.FromHours)];
        foreach (var (suffix, make) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                duration = make(value);
                return duration > TimeSpan.Zero;
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration) && duration > TimeSpan.Zero;
    }

    private static TimeSpan ParseDuration(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (TryParseDuration(text, out var duration))
        {
            return duration;
        }

        result.AddError($"--interval: '{text}' is not a positive duration such as 60s, 5m or 500ms");
        return default;
    }

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
            betfair.UseEndpoint(endpoint);
            if (betfair.AppKey is null && betfair.Username is null && betfair.Password is null)
            {
                // A simulator accepts any credentials; real ones are never needed to try it out.
                (betfair.AppKey, betfair.Username, betfair.Password) = ("netbet-simulator", "simulator", "simulator");
            }
        }

        if (MissingCredentials(betfair) is { } missing)
        {
            await Console.Error.WriteLineAsync($"netbet ingest poll: {missing}");
            return ExitCodes.InvalidInput;
        }

        var pollerOptions = new PollerOptions
        {
            WindowHours = parseResult.GetValue(WindowHours),
            MaxMarkets = parseResult.GetValue(MaxMarkets),
        };

        // SIGTERM (systemd, docker stop) and SIGINT both mean: finish the current tick, then exit.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

        await using var services = await CliHost.BuildServicesAsync(parseResult, stop.Token, s =>
        {
            s.AddSingleton(sp => new BetfairClient(betfair, sp.GetRequiredService<ILogger<BetfairClient>>()));
            s.AddSingleton(sp => new MarketPoller(
                sp.GetRequiredService<BetfairClient>(),
                sp.GetRequiredService<SnapshotWriter>(),
                sp.GetRequiredService<ServiceState>(),
                sp.GetRequiredService<TimeProvider>(),
                pollerOptions,
                sp.GetRequiredService<ILogger<MarketPoller>>()));
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
        finally
        {
            using var logoutTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.LogoutAsync(logoutTimeout.Token);
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
        return summary.SnapshotsInserted > 0 ? ExitCodes.Success : ExitCodes.Failed;
    }

    internal static string? MissingCredentials(BetfairOptions options)
    {
        var missing = new List<string>();
        if (options.AppKey is null)
        {
            missing.Add("NETBET_BETFAIR_APP_KEY");
        }

        if (options.Username is null)
        {
            missing.Add("NETBET_BETFAIR_USERNAME");
        }

        if (options.Password is null)
        {
            missing.Add("NETBET_BETFAIR_PASSWORD");
        }

        if (missing.Count > 0)
        {
            return $"Betfair credentials missing: set {string.Join(", ", missing)} (or pass --endpoint for a simulator)";
        }

        if ((options.CertificatePath is null) != (options.KeyPath is null))
        {
            return "certificate login needs both NETBET_BETFAIR_CERT and NETBET_BETFAIR_KEY";
        }

        foreach (var path in new[] { options.CertificatePath, options.KeyPath })
        {
            if (path is not null && !File.Exists(path))
            {
                return $"cannot read {path} (NETBET_BETFAIR_CERT / NETBET_BETFAIR_KEY)";
            }
        }

        return null;
    }
}

using System.CommandLine;
using Microsoft.Extensions.Logging;
using NetBet.Cli.Hosting;
using NetBet.Exchange;

namespace NetBet.Cli.Exchange;

/// <summary><c>netbet exchange simulate</c>: serves a fake Betfair API-NG on 127.0.0.1 until stopped.</summary>
internal sealed class SimulateCommand : Command
{
    public SimulateCommand()
        : base("simulate", """
            Serve a fake Betfair API-NG on 127.0.0.1: login, certlogin, keepAlive, logout, listMarketCatalogue and
            listMarketBook over one base URL, with evolving football MATCH_ODDS books on the real clock (prices on
            Betfair's tick ladder, pre-match drift, goals, suspensions, markets closing two hours after kick-off).
            Any credentials are accepted. Prints the base URL on stdout once ready; runs until Ctrl-C or SIGTERM.
            Faults for testing clients: --fault 5xx=0.1 --fault slow=0.05 --fault slow-ms=3000
            --fault invalid-session=0.02 --fault malformed=0.02 --fault too-much-data=5 (markets per listMarketBook),
            --fault login-refused (every login answered INVALID_USERNAME_OR_PASSWORD), --fault fail:listMarketBook=4
            (the next 4 listMarketBook requests answer HTTP 503; listMarketCatalogue too) or fail:listMarketBook=30s
            (every one for the first 30 seconds).
            --stream-port also serves the Exchange Stream API over TLS (same markets and prices) with a certificate
            made at start, its CA written to --stream-cert-out for 'ingest stream --stream-ca'. Stream faults:
            --fault stream-disconnect=SECONDS --fault stream-503 --fault stream-segmented --fault stream-conflate
            --fault stream-auth-fail.

            Examples:
              ./netbet exchange simulate --port 5057
              ./netbet ingest poll --once --endpoint http://127.0.0.1:5057
              ./netbet exchange simulate --port 5057 --stream-port 5058 --stream-cert-out sim-ca.pem
            """)
    {
        Options.Add(Port);
        Options.Add(Markets);
        Options.Add(Seed);
        Options.Add(Fault);
        Options.Add(StreamPort);
        Options.Add(StreamCertOut);
        Port.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > 65535)
            {
                result.AddError("--port must be between 0 and 65535");
            }
        });
        Markets.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 5000)
            {
                result.AddError("--markets must be between 1 and 5000");
            }
        });
        SetAction((parseResult, cancellationToken) => RunAsync(parseResult, cancellationToken));
    }

    public Option<int> Port { get; } = new("--port") { Description = "TCP port on 127.0.0.1 (0: a free one).", DefaultValueFactory = _ => 0 };

    public Option<int> Markets { get; } = new("--markets") { Description = "Number of football MATCH_ODDS markets.", DefaultValueFactory = _ => 60 };

    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the book evolution.", DefaultValueFactory = _ => 1 };

    public Option<string[]> Fault { get; } = new("--fault")
    {
        Description = "Inject faults: NAME=VALUE, repeatable (5xx, slow, slow-ms, invalid-session, malformed, too-much-data, login-refused, fail:OPERATION=N or =Ns).",
        AllowMultipleArgumentsPerToken = false,
        HelpName = "name=value",
    };

    public Option<int?> StreamPort { get; } = new("--stream-port") { Description = "Also serve the Exchange Stream API (TLS) on this 127.0.0.1 port (0: a free one)." };

    public Option<FileInfo?> StreamCertOut { get; } = new("--stream-cert-out")
    {
        Description = "Write the stream's CA certificate (PEM) here, for 'ingest stream --stream-ca'.",
        HelpName = "file",
    };

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var options = new SimulatorOptions
        {
            Port = parseResult.GetValue(Port),
            Markets = parseResult.GetValue(Markets),
            Seed = parseResult.GetValue(Seed),
            StreamPort = parseResult.GetValue(StreamPort),
        };
        if (options.StreamPort is < 0 or > 65535)
        {
            await Console.Error.WriteLineAsync("netbet exchange simulate: --stream-port must be between 0 and 65535");
            return ExitCodes.InvalidInput;
        }
        var faults = parseResult.GetValue(Fault) ?? [];
        foreach (var setting in faults)
        {
            if (new SimulatorFaults().Apply(setting) is { } error)
            {
                await Console.Error.WriteLineAsync($"netbet exchange simulate: --fault {error}");
                return ExitCodes.InvalidInput;
            }
        }

        using var loggers = CliHost.CreateLoggerFactory(parseResult);
        using var stop = CliHost.ListenForStop(cancellationToken);

        ExchangeSimulator simulator;
        try
        {
            simulator = await ExchangeSimulator.StartAsync(options, TimeProvider.System, loggers.CreateLogger<ExchangeSimulator>(), stop.Token);
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"netbet exchange simulate: cannot listen on 127.0.0.1:{options.Port}: {e.Message}");
            return ExitCodes.Unavailable;
        }
        catch (System.Net.Sockets.SocketException e)
        {
            await Console.Error.WriteLineAsync($"netbet exchange simulate: cannot listen on 127.0.0.1:{options.StreamPort} (--stream-port): {e.Message}");
            return ExitCodes.Unavailable;
        }

        await using (simulator)
        {
            foreach (var setting in faults)
            {
                simulator.Faults.Apply(setting); // validated above
            }

            await Console.Out.WriteLineAsync(simulator.BaseUrl.AbsoluteUri.TrimEnd('/'));
            if (simulator.StreamPort is { } streamPort)
            {
                if (parseResult.GetValue(StreamCertOut) is { } certOut)
                {
                    await File.WriteAllTextAsync(certOut.FullName, simulator.StreamCertificatePem, stop.Token);
                }

                await Console.Out.WriteLineAsync($"stream 127.0.0.1:{streamPort}");
            }

            await Console.Out.FlushAsync(stop.Token);
            await Console.Error.WriteLineAsync(
                $"netbet exchange simulate: {options.Markets} markets, seed {options.Seed}; try: netbet ingest poll --once --endpoint {simulator.BaseUrl.AbsoluteUri.TrimEnd('/')}");
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C or SIGTERM: stop serving.
            }
        }

        return ExitCodes.Success;
    }
}

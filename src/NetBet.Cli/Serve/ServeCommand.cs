using System.CommandLine;
using System.Runtime.InteropServices;
using NetBet.Cli.Hosting;
using NetBet.Data;

namespace NetBet.Cli.Serve;

/// <summary><c>netbet serve [--urls URL]</c>: runs the web UI and read-only API until Ctrl-C.</summary>
internal sealed class ServeCommand : Command
{
    public const string DefaultUrls = "http://127.0.0.1:8000";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    public ServeCommand()
        : base("serve", """
            Serve the web UI and the read-only JSON API (OpenAPI at /openapi/v1.json) until Ctrl-C. The web app reads
            through NETBET_DB_READ (a login in the netbet_reader role, on the primary or a hot standby); else through
            NETBET_DB, read-only by session setting only (with a warning); else the private cluster (started if needed)
            as its read-only login netbet_web. The web app is the built NetBet.Web.dll next to this CLI's build output
            (./netbet builds both), or the file NETBET_WEB_DLL names.

            Example:
              ./netbet serve
              ./netbet serve --urls http://127.0.0.1:8080
            """)
    {
        Options.Add(Urls);
        SetAction((parseResult, cancellationToken) => RunAsync(parseResult, cancellationToken));
    }

    public Option<string> Urls { get; } = new("--urls")
    {
        Description = "Where to listen, as ASP.NET Core takes it (semicolon-separated). Loopback by default.",
        DefaultValueFactory = _ => DefaultUrls,
        HelpName = "url",
    };

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var urls = parseResult.GetValue(Urls) ?? DefaultUrls;
        if (!Uri.TryCreate(urls.Split(';')[0].Trim().Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out _))
        {
            await Console.Error.WriteLineAsync($"netbet serve: --urls: '{urls}' is not a URL such as {DefaultUrls}");
            return ExitCodes.InvalidInput;
        }

        var dll = WebHostProcess.LocateDll();
        if (!File.Exists(dll))
        {
            await Console.Error.WriteLineAsync($"netbet serve: the web app is not built: {dll} is missing (build src/NetBet.Web, or set {WebHostProcess.DllVariable})");
            return ExitCodes.Unavailable;
        }

        ReadConnection read;
        try
        {
            using var loggers = CliHost.CreateLoggerFactory(parseResult);
            read = await ReadDatabase.ResolveAsync(
                Environment.GetEnvironmentVariable(ReadDatabase.ConnectionStringVariable),
                Environment.GetEnvironmentVariable(NetBetDatabase.ConnectionStringVariable),
                loggers.CreateLogger("NetBet.Cli.Serve"),
                cancellationToken);
        }
        catch (Exception e) when (CliHost.TryGetExitCode(e, Console.Error) is { } code)
        {
            return code;
        }

        if (read.Access == ReadAccess.SessionSettingOnly)
        {
            await Console.Error.WriteLineAsync($"netbet serve: warning: {ReadDatabase.SessionSettingOnlyWarning}");
        }

        return await RunAsync(dll, read.ConnectionString, urls, Console.Out, cancellationToken);
    }

    /// <summary>
    /// Runs the web app, reading through <paramref name="connectionString"/>, on <paramref name="urls"/> until it exits or <paramref name="cancellationToken"/> fires (Ctrl-C,
    /// SIGTERM), which stops it gracefully. Prints the UI's address once <c>/api/health</c> answers. Also used by
    /// <c>netbet demo</c>.
    /// </summary>
    public static async Task<int> RunAsync(string dll, string connectionString, string urls, TextWriter stdout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stdout);

        // SIGTERM would otherwise end this process at once and orphan the child: turn it (and SIGINT, SIGQUIT)
        // into cancellation so the child is stopped first.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Cancel);
        cancellationToken = stop.Token;

        await using var web = WebHostProcess.Start(dll, connectionString, urls);
        try
        {
            if (!await web.WaitUntilAnsweringAsync(StartTimeout, cancellationToken))
            {
                if (web.HasExited)
                {
                    await Console.Error.WriteLineAsync($"netbet serve: the web app exited with code {web.ExitCode} before answering (see its output above)");
                    return ExitCodes.Failed;
                }

                await Console.Error.WriteLineAsync($"netbet serve: the web app did not answer {web.BaseAddress}api/health within {StartTimeout.TotalSeconds:0} s");
                return ExitCodes.Unavailable;
            }

            await stdout.WriteLineAsync($"Serving NetBet UI at {web.BaseAddress}");
            await stdout.FlushAsync(cancellationToken);
            await web.WaitForExitAsync(cancellationToken);
            return web.ExitCode == 0 ? ExitCodes.Success : ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C or SIGTERM: the normal way to stop a server. DisposeAsync stops the child gracefully.
            await web.StopAsync();
            return ExitCodes.Success;
        }

        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }
}

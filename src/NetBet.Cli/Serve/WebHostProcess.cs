using System.Diagnostics;
using System.Runtime.InteropServices;
using NetBet.Data;

namespace NetBet.Cli.Serve;

/// <summary>
/// The web app (<c>NetBet.Web.dll</c>) run as a child process: the CLI never references NetBet.Web, it starts the
/// built host with <c>dotnet</c>, passes the resolved read connection string as <c>NETBET_DB_READ</c> (and not
/// <c>NETBET_DB</c>, so the web process never holds the writer's credentials) and <c>--urls</c>, waits
/// until <c>/api/health</c> answers, and stops it with SIGTERM (then a kill after a grace period).
/// </summary>
internal sealed class WebHostProcess : IAsyncDisposable
{
    /// <summary>Environment variable overriding where <c>NetBet.Web.dll</c> is.</summary>
    public const string DllVariable = "NETBET_WEB_DLL";

    private static readonly TimeSpan StopGracePeriod = TimeSpan.FromSeconds(10);
    private readonly Process _process;

    private WebHostProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    /// <summary>Where the app listens (the first of <c>--urls</c>), with a trailing slash.</summary>
    public Uri BaseAddress { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// <c>$NETBET_WEB_DLL</c>, else <c>NetBet.Web.dll</c> in the artifacts folder next to the CLI's own:
    /// <c>&lt;artifacts&gt;/bin/NetBet.Cli/&lt;config&gt;/</c> → <c>&lt;artifacts&gt;/bin/NetBet.Web/&lt;config&gt;/</c>.
    /// </summary>
    public static string LocateDll()
    {
        var configured = Environment.GetEnvironmentVariable(DllVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        var cliDirectory = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
        return Path.GetFullPath(Path.Combine(cliDirectory.FullName, "..", "..", "NetBet.Web", cliDirectory.Name, "NetBet.Web.dll"));
    }

    /// <summary>Starts the app on <paramref name="urls"/> (semicolon-separated, as ASP.NET Core takes them).</summary>
    public static WebHostProcess Start(string dllPath, string connectionString, string urls)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            // The content root (wwwroot) is the working directory of a host started with `dotnet x.dll`.
            WorkingDirectory = Path.GetDirectoryName(dllPath)!,
        };
        start.ArgumentList.Add(dllPath);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(urls);
        start.Environment[ReadDatabase.ConnectionStringVariable] = connectionString;
        start.Environment.Remove(NetBetDatabase.ConnectionStringVariable);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start dotnet {dllPath}");
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
        return new WebHostProcess(process, new Uri(first.TrimEnd('/') + "/"));
    }

    /// <summary>
    /// Polls <c>/api/health</c> until it answers (200, or 503 when the database is down: the app is up either way).
    /// False when the process exits first or <paramref name="timeout"/> passes.
    /// </summary>
    public async Task<bool> WaitUntilAnsweringAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        // A cold app's first request (JIT, first database connection) can take seconds.
        using var http = new HttpClient { BaseAddress = HealthBase(), Timeout = TimeSpan.FromSeconds(15) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout && !_process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(new Uri("api/health", UriKind.Relative), cancellationToken);
                return true;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }

        return false;
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>Asks the app to stop (SIGTERM, so ASP.NET Core shuts down gracefully), then kills it after a grace period.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        if (OperatingSystem.IsWindows() || SendTerminate(_process.Id) != 0)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var grace = new CancellationTokenSource(StopGracePeriod);
        try
        {
            await _process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    // A wildcard listen address is not somewhere to connect to: ask the loopback interface instead.
    private Uri HealthBase()
    {
        var builder = new UriBuilder(BaseAddress);
        if (builder.Host is "0.0.0.0" or "[::]" or "*" or "+")
        {
            builder.Host = "127.0.0.1";
        }

        return builder.Uri;
    }

    // `netbet` may run as its own apphost, so the child needs the dotnet host explicitly.
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, "dotnet")))
        {
            return Path.Combine(root, "dotnet");
        }

        return "dotnet";
    }

    private static int SendTerminate(int pid) => Kill(pid, Sigterm);

    private const int Sigterm = 15;

    // DllImport rather than LibraryImport: the generated form needs AllowUnsafeBlocks for one int-only call.
    [DllImport("libc", EntryPoint = "kill")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}

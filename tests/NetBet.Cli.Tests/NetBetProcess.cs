using System.Diagnostics;

namespace NetBet.Cli.Tests;

/// <summary>Runs the built <c>netbet.dll</c> from the test's output folder as a child process.</summary>
internal sealed class NetBetProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly List<string> _stderrLines = [];
    private readonly TaskCompletionSource _firstStderrLine = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NetBetProcess(string connectionString, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "netbet.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NETBET_DB"] = connectionString;
        // Never the user's private cluster: NETBET_DB is set, and home points nowhere shared anyway.
        start.Environment["NETBET_HOME"] = Path.Combine(Path.GetTempPath(), "netbet-cli-tests-home");
        _process = Process.Start(start)!;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_stderrLines)
            {
                _stderrLines.Add(e.Data);
            }

            _firstStderrLine.TrySetResult();
        };
        _process.BeginErrorReadLine();
        _stdout = _process.StandardOutput.ReadToEndAsync();
    }

    public static NetBetProcess Start(string connectionString, params string[] args) => new(connectionString, args);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string connectionString, CancellationToken cancellationToken, params string[] args)
    {
        using var process = Start(connectionString, args);
        var exitCode = await process.WaitAsync(cancellationToken);
        return (exitCode, await process._stdout, process.Stderr);
    }

    public string Stderr
    {
        get
        {
            lock (_stderrLines)
            {
                return string.Join('\n', _stderrLines);
            }
        }
    }

    public Task FirstStderrLine => _firstStderrLine.Task;

    /// <summary>The child's process id (for reading /proc/ID).</summary>
    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public async Task<int> WaitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode;
    }

    /// <summary>SIGINT, as Ctrl-C sends it.</summary>
    public async Task InterruptAsync(CancellationToken cancellationToken)
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(cancellationToken);
    }

    public Task<string> Stdout => _stdout;

    /// <summary>
    /// Polls the child's VmHWM (peak resident set, which only grows) until it exits; the last reading is the peak
    /// of everything but the final milliseconds of shutdown.
    /// </summary>
    public async Task<long> PeakResidentBytesAsync(CancellationToken cancellationToken)
    {
        var status = $"/proc/{Id}/status";
        long peak = 0;
        while (!HasExited)
        {
            try
            {
                foreach (var line in await File.ReadAllLinesAsync(status, cancellationToken))
                {
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    {
                        peak = Math.Max(peak, long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                break; // exited between the check and the read
            }

            await Task.Delay(10, cancellationToken);
        }

        return peak;
    }

    /// <summary>SIGKILL: no cleanup, no finally blocks, like kill -9.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}

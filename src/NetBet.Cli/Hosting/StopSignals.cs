using System.Runtime.InteropServices;

namespace NetBet.Cli.Hosting;

/// <summary>
/// SIGTERM (systemd, docker stop) and SIGINT (Ctrl-C) cancel <see cref="Token"/> instead of ending the process, so a
/// long-running command finishes what it is writing and exits on its own.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration _sigterm;
    private readonly PosixSignalRegistration _sigint;

    public StopSignals(CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    }

    public CancellationToken Token => _stop.Token;

    /// <summary>Also stops after <paramref name="delay"/> (a <c>--duration</c>).</summary>
    public void CancelAfter(TimeSpan delay) => _stop.CancelAfter(delay);

    public void Dispose()
    {
        _sigterm.Dispose();
        _sigint.Dispose();
        _stop.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        _stop.Cancel();
    }
}

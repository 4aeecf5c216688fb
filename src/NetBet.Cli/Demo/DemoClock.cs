namespace NetBet.Cli.Demo;

/// <summary>
/// The demo's exchange clock: the simulator and the poller share it, and the demo moves it one poll interval per
/// tick, so hours of football are recorded in seconds with realistic timestamps.
/// </summary>
internal sealed class DemoClock(DateTimeOffset start) : TimeProvider
{
    private long _utcTicks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _utcTicks, by.Ticks);
}

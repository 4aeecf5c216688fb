namespace NetBet.Ingest.Polling;

/// <summary>Settings of <see cref="MarketPoller"/>.</summary>
public sealed class PollerOptions
{
    /// <summary>Markets starting up to this many hours ahead are polled.</summary>
    public double WindowHours { get; set; } = 24;

    /// <summary>Markets that kicked off up to this long ago are still polled (they are in play or about to close).</summary>
    public TimeSpan LookBack { get; set; } = TimeSpan.FromHours(3);

    /// <summary>Most markets per tick, first to start first.</summary>
    public int MaxMarkets { get; set; } = 1000;

    /// <summary>Value of <c>capture_version</c> on every snapshot.</summary>
    public string CaptureVersion { get; set; } = "v1";

    /// <summary>How often the session is extended with keepAlive, on the poller's clock.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>
    /// After a stop request, how long the running tick may still take before it is cancelled too (its batch is one
    /// transaction, so a cancelled tick writes nothing).
    /// </summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(60);
}

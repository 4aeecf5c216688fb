namespace NetBet.Ingest.Polling;

/// <summary>
/// Settings of <see cref="MarketPoller"/>. The range checks live here, once: the CLI reports them against its
/// options, the poller refuses to start with a value outside them.
/// </summary>
public sealed class PollerOptions
{
    /// <summary>Largest <see cref="WindowHours"/>: two weeks.</summary>
    public const double MaxWindowHours = 24 * 14;

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

    /// <summary>Wait after the first failed login (network trouble, Betfair busy); doubles with each failure.</summary>
    public TimeSpan LoginBackoffBase { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest wait between failed logins.</summary>
    public TimeSpan LoginBackoffMax { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// After a stop request, how long the running tick may still take before it is cancelled too (its batch is one
    /// transaction, so a cancelled tick writes nothing).
    /// </summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Why <paramref name="hours"/> is not a valid <see cref="WindowHours"/>, or null.</summary>
    public static string? CheckWindowHours(double hours) =>
        hours is > 0 and <= MaxWindowHours ? null : "must be above 0 and at most 336";

    /// <summary>Why <paramref name="markets"/> is not a valid <see cref="MaxMarkets"/>, or null.</summary>
    public static string? CheckMaxMarkets(int markets) => markets >= 1 ? null : "must be at least 1";

    /// <summary>Throws when a setting is out of range, naming it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        Check(nameof(WindowHours), CheckWindowHours(WindowHours));
        Check(nameof(MaxMarkets), CheckMaxMarkets(MaxMarkets));
        Check(nameof(LookBack), LookBack >= TimeSpan.Zero ? null : "must not be negative");
        Check(nameof(KeepAliveInterval), KeepAliveInterval > TimeSpan.Zero ? null : "must be positive");
        Check(nameof(ShutdownGrace), ShutdownGrace >= TimeSpan.Zero ? null : "must not be negative");
        Check(nameof(LoginBackoffBase), LoginBackoffBase > TimeSpan.Zero ? null : "must be positive");
        Check(nameof(LoginBackoffMax), LoginBackoffMax >= LoginBackoffBase ? null : "must not be below LoginBackoffBase");
        ArgumentException.ThrowIfNullOrWhiteSpace(CaptureVersion);
    }

    private static void Check(string name, string? problem)
    {
        if (problem is not null)
        {
            throw new ArgumentOutOfRangeException(name, $"PollerOptions.{name} {problem}");
        }
    }
}

namespace NetBet.Exchange;

/// <summary>Settings of an <see cref="ExchangeSimulator"/>.</summary>
public sealed class SimulatorOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Number of football MATCH_ODDS markets.</summary>
    public int Markets { get; set; } = 60;

    /// <summary>Seed of the book evolution: the same seed and start time give the same books.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>When set, logins must use this username (any non-empty one otherwise).</summary>
    public string? Username { get; set; }

    /// <summary>When set, logins must use this password (any non-empty one otherwise).</summary>
    public string? Password { get; set; }

    /// <summary>TCP port on 127.0.0.1 of the fake Exchange Stream API (TLS); 0 picks a free one, null serves no stream.</summary>
    public int? StreamPort { get; set; }

    /// <summary>Session lifetime on the simulated clock; keepAlive extends it.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);
}

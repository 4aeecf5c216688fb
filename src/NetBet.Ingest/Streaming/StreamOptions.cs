using System.Globalization;

namespace NetBet.Ingest.Streaming;

/// <summary>Settings of an <see cref="ExchangeStreamClient"/>: where to connect, what to subscribe to, how to reconnect.</summary>
public sealed class StreamOptions
{
    /// <summary>Betfair's stream host.</summary>
    public const string DefaultEndpoint = "stream-api.betfair.com:443";

    /// <summary>Stream host name (the TLS certificate must carry it).</summary>
    public string Host { get; set; } = "stream-api.betfair.com";

    /// <summary>Stream TCP port.</summary>
    public int Port { get; set; } = 443;

    /// <summary>PEM file of a CA trusted in addition to the system's (for a private stream such as the simulator's), or null.</summary>
    public string? ExtraCaPath { get; set; }

    /// <summary>Heartbeat rate asked of the server, 500 to 30000 ms; silence for twice this long means the connection is dead.</summary>
    public int HeartbeatMs { get; set; } = 5000;

    /// <summary>Conflation asked of the server, 0 (none) to 120000 ms.</summary>
    public int ConflateMs { get; set; }

    /// <summary>Country codes of the events to subscribe to (empty: all).</summary>
    public IReadOnlyList<string> CountryCodes { get; set; } = [];

    /// <summary>Market ids to subscribe to (empty: every football MATCH_ODDS market).</summary>
    public IReadOnlyList<string> MarketIds { get; set; } = [];

    /// <summary>First reconnect delay; doubled per failed attempt, jittered, capped at <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest wait between reconnect attempts.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for the <c>connection</c> message and each <c>status</c> answer.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Parses <c>HOST:PORT</c>; returns an error message or null.</summary>
    /// <param name="endpoint">Such as <c>stream-api.betfair.com:443</c> or <c>127.0.0.1:5058</c>.</param>
    public string? UseEndpoint(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return $"'{endpoint}' is not HOST:PORT";
        }

        Host = endpoint[..colon].Trim('[', ']');
        Port = port;
        return null;
    }
}

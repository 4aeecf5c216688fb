namespace NetBet.Exchange;

/// <summary>A failure the simulator can inject into betting requests.</summary>
public enum SimulatorFault
{
    /// <summary>HTTP 503 with a plain-text body.</summary>
    ServerError,
    /// <summary>The normal answer after <see cref="SimulatorFaults.SlowDelay"/>.</summary>
    Slow,
    /// <summary>HTTP 400 APINGException INVALID_SESSION_INFORMATION; the session token stops working.</summary>
    InvalidSession,
    /// <summary>HTTP 200 with a truncated JSON body.</summary>
    MalformedJson,
}

/// <summary>
/// Fault injection for the simulator's betting endpoints (listMarketCatalogue, listMarketBook): queued faults for
/// the next N requests, random faults by probability, and TOO_MUCH_DATA above a market count. Thread-safe; tests
/// change it while the simulator runs.
/// </summary>
public sealed class SimulatorFaults
{
    private readonly Lock _lock = new();
    private readonly List<(SimulatorFault Fault, string? Operation)> _queued = [];
    private readonly Random _random;
    private readonly Dictionary<string, DateTimeOffset> _failUntil = new(StringComparer.Ordinal);

    /// <summary>Creates the fault settings; <paramref name="seed"/> makes the random faults repeatable.</summary>
    public SimulatorFaults(int seed = 0) => _random = new Random(seed);

    /// <summary>Probability of an HTTP 503 per betting request.</summary>
    public double ServerErrorRate { get; set; }

    /// <summary>Probability of a slow answer per betting request.</summary>
    public double SlowRate { get; set; }

    /// <summary>Probability of INVALID_SESSION_INFORMATION per betting request.</summary>
    public double InvalidSessionRate { get; set; }

    /// <summary>Probability of a malformed JSON answer per betting request.</summary>
    public double MalformedJsonRate { get; set; }

    /// <summary>How long a slow answer waits (real time, not the simulated clock).</summary>
    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Every login (interactive and certificate) is answered <c>INVALID_USERNAME_OR_PASSWORD</c>.</summary>
    public bool LoginRefused { get; set; }

    /// <summary>
    /// listMarketBook answers TOO_MUCH_DATA when asked for more markets than this. Null keeps Betfair's own rule
    /// (weight above 200 points; EX_ALL_OFFERS weighs 17 per market).
    /// </summary>
    public int? TooMuchDataAboveMarkets { get; set; }

    /// <summary>The fake stream drops every open connection at this interval (real time); null never.</summary>
    public TimeSpan? StreamDisconnectEvery { get; set; }

    /// <summary>Every <c>mcm</c> of the fake stream carries <c>status: 503</c> (data may be stale).</summary>
    public bool Stream503 { get; set; }

    /// <summary>The fake stream segments every image (two markets per segment), however small.</summary>
    public bool StreamSegmented { get; set; }

    /// <summary>The fake stream conflates: it holds changes for 250 ms and sends what piled up as one <c>con: true</c> message.</summary>
    public bool StreamConflate { get; set; }

    /// <summary>The fake stream refuses every authentication with <c>NOT_AUTHORIZED</c>.</summary>
    public bool StreamAuthFail { get; set; }

    /// <summary>Makes the next <paramref name="count"/> betting requests (of <paramref name="operation"/> only, when given) fail with <paramref name="fault"/>.</summary>
    /// <param name="fault">The fault.</param>
    /// <param name="count">How many requests.</param>
    /// <param name="operation"><c>listMarketBook</c> or <c>listMarketCatalogue</c>; null for either.</param>
    public void Next(SimulatorFault fault, int count = 1, string? operation = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_lock)
        {
            for (var i = 0; i < count; i++)
            {
                _queued.Add((fault, operation));
            }
        }
    }

    /// <summary>Answers every request of <paramref name="operation"/> with HTTP 503 for <paramref name="duration"/> of real time from now.</summary>
    /// <param name="operation"><c>listMarketBook</c> or <c>listMarketCatalogue</c>.</param>
    /// <param name="duration">How long.</param>
    public void FailFor(string operation, TimeSpan duration)
    {
        ArgumentException.ThrowIfNullOrEmpty(operation);
        lock (_lock)
        {
            _failUntil[operation] = DateTimeOffset.UtcNow + duration;
        }
    }

    /// <summary>Drops queued faults and sets every probability to 0 and the TOO_MUCH_DATA limit back to Betfair's.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _queued.Clear();
            _failUntil.Clear();
            LoginRefused = false;
            ServerErrorRate = SlowRate = InvalidSessionRate = MalformedJsonRate = 0;
            TooMuchDataAboveMarkets = null;
            StreamDisconnectEvery = null;
            Stream503 = StreamSegmented = StreamConflate = StreamAuthFail = false;
        }
    }

    /// <summary>
    /// Parses a <c>--fault</c> value: <c>5xx=P</c>, <c>slow=P</c>, <c>invalid-session=P</c>, <c>malformed=P</c>
    /// (probabilities 0..1), <c>slow-ms=N</c>, <c>too-much-data=K</c> (markets), <c>login-refused</c> (every login
    /// answered INVALID_USERNAME_OR_PASSWORD), <c>fail:OPERATION=N</c> (the next N requests of listMarketBook,
    /// listMarketCatalogue or login answer 503) or <c>fail:OPERATION=Ns</c> (every one for N seconds from the start),
    /// and for the stream <c>stream-disconnect=SECONDS</c>, <c>stream-503</c>, <c>stream-segmented</c>,
    /// <c>stream-conflate</c>, <c>stream-auth-fail</c> (switches; <c>=0</c> turns one off). Returns an error message or null.
    /// </summary>
    /// <param name="setting">The setting, such as <c>5xx=0.1</c>.</param>
    public string? Apply(string setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        if (setting.Trim().Equals("login-refused", StringComparison.OrdinalIgnoreCase))
        {
            LoginRefused = true;
            return null;
        }

        if (ApplyStream(setting) is { } streamResult)
        {
            return streamResult.Length == 0 ? null : streamResult;
        }

        var parts = setting.Split('=', 2, StringSplitOptions.TrimEntries);
        if (parts.Length == 2 && parts[0].StartsWith("fail:", StringComparison.OrdinalIgnoreCase))
        {
            return ApplyFail(setting, parts[0]["fail:".Length..], parts[1]);
        }

        if (parts.Length != 2 || !double.TryParse(parts[1], System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            return $"'{setting}' is not NAME=NUMBER";
        }

        var probability = value <= 1;
        switch (parts[0].ToLowerInvariant())
        {
            case "5xx" when probability: ServerErrorRate = value; break;
            case "slow" when probability: SlowRate = value; break;
            case "invalid-session" when probability: InvalidSessionRate = value; break;
            case "malformed" when probability: MalformedJsonRate = value; break;
            case "slow-ms": SlowDelay = TimeSpan.FromMilliseconds(value); break;
            case "too-much-data" when value >= 1 && value == Math.Floor(value): TooMuchDataAboveMarkets = (int)value; break;
            case "5xx" or "slow" or "invalid-session" or "malformed": return $"'{setting}': a probability is between 0 and 1";
            case "too-much-data": return $"'{setting}': too-much-data takes a whole number of markets";
            default: return $"'{setting}': unknown fault (5xx, slow, slow-ms, invalid-session, malformed, too-much-data, login-refused, fail:OPERATION, stream-disconnect, stream-503, stream-segmented, stream-conflate, stream-auth-fail)";
        }

        return null;
    }

    private string? ApplyFail(string setting, string operation, string amount)
    {
        if (operation is not ("listMarketBook" or "listMarketCatalogue" or "login"))
        {
            return $"'{setting}': fail: takes listMarketBook, listMarketCatalogue or login";
        }

        var seconds = amount.EndsWith('s');
        if (!int.TryParse(seconds ? amount[..^1] : amount, System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            return $"'{setting}': fail:{operation} takes a number of requests (N) or of seconds (Ns), at least 1";
        }

        if (seconds)
        {
            FailFor(operation, TimeSpan.FromSeconds(count));
        }
        else
        {
            Next(SimulatorFault.ServerError, count, operation);
        }

        return null;
    }

    /// <summary>
    /// Whether this login request fails with a 503: only faults aimed at <c>login</c> by name count, so the betting
    /// faults (queued for any operation, or random) keep meaning betting requests.
    /// </summary>
    internal bool DrawLoginFailure()
    {
        lock (_lock)
        {
            if (_failUntil.TryGetValue("login", out var until) && DateTimeOffset.UtcNow < until)
            {
                return true;
            }

            var next = _queued.FindIndex(q => q.Operation == "login");
            if (next >= 0)
            {
                _queued.RemoveAt(next);
                return true;
            }

            return false;
        }
    }

    // "" when a stream fault was applied, an error message, or null when the setting is not a stream fault.
    private string? ApplyStream(string setting)
    {
        var parts = setting.Split('=', 2, StringSplitOptions.TrimEntries);
        var name = parts[0].ToLowerInvariant();
        if (!name.StartsWith("stream-", StringComparison.Ordinal))
        {
            return null;
        }

        double? value = null;
        if (parts.Length == 2)
        {
            if (!double.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var parsed) || parsed < 0)
            {
                return $"'{setting}' is not NAME=NUMBER";
            }

            value = parsed;
        }

        var on = value is null or > 0;
        switch (name)
        {
            case "stream-disconnect" when value is > 0:
                StreamDisconnectEvery = TimeSpan.FromSeconds(value.Value);
                break;
            case "stream-disconnect":
                return $"'{setting}': stream-disconnect takes a positive number of seconds";
            case "stream-503": Stream503 = on; break;
            case "stream-segmented": StreamSegmented = on; break;
            case "stream-conflate": StreamConflate = on; break;
            case "stream-auth-fail": StreamAuthFail = on; break;
            default: return $"'{setting}': unknown stream fault (stream-disconnect, stream-503, stream-segmented, stream-conflate, stream-auth-fail)";
        }

        return "";
    }

    /// <summary>The fault for one request of <paramref name="operation"/>, or null.</summary>
    internal SimulatorFault? Draw(string operation)
    {
        lock (_lock)
        {
            if (_failUntil.TryGetValue(operation, out var until) && DateTimeOffset.UtcNow < until)
            {
                return SimulatorFault.ServerError;
            }

            var next = _queued.FindIndex(q => q.Operation is null || q.Operation == operation);
            if (next >= 0)
            {
                var fault = _queued[next].Fault;
                _queued.RemoveAt(next);
                return fault;
            }

            var u = _random.NextDouble();
            if ((u -= ServerErrorRate) < 0) return SimulatorFault.ServerError;
            if ((u -= SlowRate) < 0) return SimulatorFault.Slow;
            if ((u -= InvalidSessionRate) < 0) return SimulatorFault.InvalidSession;
            if ((u -= MalformedJsonRate) < 0) return SimulatorFault.MalformedJson;
            return null;
        }
    }
}

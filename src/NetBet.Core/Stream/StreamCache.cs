namespace NetBet.Core.Stream;

/// <summary>What <see cref="StreamCache.Apply(ReadOnlySpan{byte})"/> did with a line.</summary>
public enum StreamMessageKind
{
    /// <summary>Market changes were applied; <see cref="StreamCache.ChangedMarkets"/> lists the markets.</summary>
    MarketChange,
    /// <summary>Part of a segmented change (<c>SEG_START</c>/<c>SEG</c>); applied when <c>SEG_END</c> arrives.</summary>
    SegmentPending,
    /// <summary>No market changes: a heartbeat, a <c>connection</c>/<c>status</c>/<c>ocm</c> message, or an <c>mcm</c> without <c>mc</c>.</summary>
    Other,
}

/// <summary>The <c>ct</c> (change type) of an <c>mcm</c>.</summary>
public enum StreamChangeType
{
    /// <summary>No <c>ct</c> (or an unknown one): an ordinary delta, as in historical files.</summary>
    Delta,
    /// <summary><c>SUB_IMAGE</c>: a full image of the subscription; it replaces the whole cache.</summary>
    SubImage,
    /// <summary><c>RESUB_DELTA</c>: the changes missed since the <c>clk</c> a resubscription sent.</summary>
    ResubDelta,
    /// <summary><c>HEARTBEAT</c>: no changes, only time (<c>pt</c>) and <c>clk</c>.</summary>
    Heartbeat,
}

/// <summary>The outcome of applying one line.</summary>
/// <param name="Kind">What the line was.</param>
/// <param name="PublishTime">The message's <c>pt</c> (ms since the Unix epoch), when it had one.</param>
/// <param name="MarketChanges">Market changes applied (<c>mc</c> entries, segments included).</param>
/// <param name="Updates">Ladder elements applied: each <c>[price,size]</c> or <c>[level,price,size]</c> counts one.</param>
public readonly record struct StreamApplyResult(StreamMessageKind Kind, long? PublishTime, int MarketChanges, int Updates)
{
    /// <summary>The message's <c>ct</c>; for a segmented message, the first segment's.</summary>
    public StreamChangeType ChangeType { get; init; }

    /// <summary>True for an <c>mcm</c> (or a line without <c>op</c>), false for <c>connection</c>, <c>status</c> and other ops.</summary>
    public bool IsMarketChangeMessage { get; init; }

    /// <summary>The <c>mcm</c> carried <c>con: true</c>: the server conflated changes because the client was slow.</summary>
    public bool Conflated { get; init; }

    /// <summary>The <c>mcm</c>'s <c>status</c>: 503 means the server's data may be stale; null when absent.</summary>
    public int? Status { get; init; }
}

/// <summary>
/// Rebuilds every market of one Exchange Stream (a historical file or a socket) from its <c>mcm</c> messages,
/// following FORMATS.md section 3. Each line is parsed completely before any of it is applied, so a malformed
/// line changes nothing and readers never see half a message. Memory is bounded whatever the input: prices must be
/// on the market's price ladder, and markets and runners are capped (see <see cref="MaxRunnersPerMarket"/>).
/// Not thread-safe; one cache per stream.
/// </summary>
public sealed partial class StreamCache
{
    private readonly Dictionary<string, MarketState> _markets = [];
    private readonly Dictionary<string, MarketState>.AlternateLookup<ReadOnlySpan<char>> _marketsBySpan;
    private readonly PendingChanges _pending = new();
    private readonly List<MarketState> _changed = [];
    private readonly HashSet<MarketState> _changedSet = [];
    private bool _inSegment;
    private StreamChangeType _segmentChangeType;

    /// <summary>Creates an empty cache holding at most <see cref="DefaultMaxMarkets"/> markets at once.</summary>
    public StreamCache()
        : this(DefaultMaxMarkets)
    {
    }

    /// <summary>Creates an empty cache.</summary>
    /// <param name="maxMarkets">
    /// Most markets held at once; a line that would add one more is rejected. Callers free room with
    /// <see cref="Remove"/> (the importer removes a market once it is closed and its last snapshot is taken).
    /// </param>
    public StreamCache(int maxMarkets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMarkets, 1);
        _maxMarkets = maxMarkets;
        _marketsBySpan = _markets.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Every market seen so far.</summary>
    public IReadOnlyCollection<MarketState> Markets => _markets.Values;

    /// <summary>The latest <c>clk</c> of an applied <c>mcm</c>: a resubscription sends it to resume.</summary>
    public string? Clk { get; private set; }

    /// <summary>The latest <c>initialClk</c> (sent with images): a resubscription sends it with <see cref="Clk"/>.</summary>
    public string? InitialClk { get; private set; }

    /// <summary>The markets changed by the last applied message, each once, in first-change order.</summary>
    public IReadOnlyList<MarketState> ChangedMarkets => _changed;

    /// <summary>The market with this id, or null.</summary>
    /// <param name="marketId">Market id.</param>
    public MarketState? Find(string marketId) => _markets.GetValueOrDefault(marketId);

    /// <summary>Forgets a market (to bound memory once a market is closed and written).</summary>
    /// <param name="marketId">Market id.</param>
    public bool Remove(string marketId) => _markets.Remove(marketId);

    /// <summary>Parses one line (one JSON message) and applies it.</summary>
    /// <param name="line">The UTF-8 JSON message, without the line terminator.</param>
    /// <exception cref="StreamFormatException">The line is not a usable message; the cache is unchanged.</exception>
    public StreamApplyResult Apply(ReadOnlySpan<byte> line) => Apply(line, null);

    /// <summary>
    /// Parses one line and applies it, calling <paramref name="beforeApply"/> once the line is known to be a complete
    /// <c>mcm</c> with a <c>pt</c> (a heartbeat included; segments only at <c>SEG_END</c>) and before it changes the
    /// cache, so a caller can still read the book as it was (see <see cref="GridSampler"/>).
    /// </summary>
    /// <param name="line">The UTF-8 JSON message, without the line terminator.</param>
    /// <param name="beforeApply">Receives the message's <c>pt</c> and <c>ct</c> (its kind is not yet final); null for none.</param>
    /// <exception cref="StreamFormatException">The line is not a usable message; the cache is unchanged.</exception>
    public StreamApplyResult Apply(ReadOnlySpan<byte> line, Action<StreamApplyResult>? beforeApply)
    {
        if (!_inSegment)
        {
            _pending.Clear();
        }

        var mark = _pending.Mark();
        MessageEnvelope envelope;
        try
        {
            envelope = StreamMessageParser.Parse(line, _pending);
            if (envelope.HasMarketChanges && envelope.PublishTime is null && (!envelope.HasOp || envelope.IsMarketChangeOp))
            {
                throw new StreamFormatException("market changes without pt at $.pt");
            }

            if (envelope.HasMarketChanges && (!envelope.HasOp || envelope.IsMarketChangeOp))
            {
                CheckPrices(mark.Markets);
                CheckCaps(mark.Markets);
            }
        }
        catch (StreamFormatException)
        {
            _pending.Rollback(mark);
            throw;
        }

        var isMcm = !envelope.HasOp || envelope.IsMarketChangeOp;
        if (!isMcm)
        {
            _pending.Rollback(mark);
            return new StreamApplyResult(StreamMessageKind.Other, envelope.PublishTime, 0, 0);
        }

        if (envelope.Segment == SegmentKind.Start)
        {
            _segmentChangeType = envelope.ChangeType;
        }

        var changeType = envelope.Segment is SegmentKind.Middle or SegmentKind.End && _inSegment && envelope.ChangeType == StreamChangeType.Delta
            ? _segmentChangeType
            : envelope.ChangeType;
        Clk = envelope.Clk ?? Clk;
        InitialClk = envelope.InitialClk ?? InitialClk;
        var flags = new StreamApplyResult(StreamMessageKind.Other, envelope.PublishTime, 0, 0)
        {
            ChangeType = changeType, IsMarketChangeMessage = true, Conflated = envelope.Conflated, Status = envelope.Status,
        };
        if (!envelope.HasMarketChanges && envelope.Segment == SegmentKind.None)
        {
            // A heartbeat (or an empty image) never completes a segmented message still arriving.
            _pending.Rollback(mark);
            if (envelope.PublishTime is not null)
            {
                beforeApply?.Invoke(flags);
            }

            if (changeType == StreamChangeType.SubImage && !_inSegment)
            {
                _markets.Clear();
            }

            return flags;
        }

        if (envelope.Segment is SegmentKind.Start or SegmentKind.Middle)
        {
            _inSegment = true;
            return flags with { Kind = StreamMessageKind.SegmentPending };
        }

        _inSegment = false;
        if (envelope.PublishTime is not null)
        {
            beforeApply?.Invoke(flags);
        }

        if (changeType == StreamChangeType.SubImage)
        {
            // An image is the whole subscription: markets it leaves out are no longer subscribed.
            _markets.Clear();
        }

        if (_pending.Markets.Count == 0)
        {
            return flags;
        }

        var publishTime = envelope.PublishTime ?? throw new StreamFormatException("market changes without pt at $.pt");
        var updates = ApplyPending(publishTime);
        var marketChanges = _pending.Markets.Count;
        _pending.Clear();
        return flags with { Kind = StreamMessageKind.MarketChange, PublishTime = publishTime, MarketChanges = marketChanges, Updates = updates };
    }

    private int ApplyPending(long publishTime)
    {
        _changed.Clear();
        _changedSet.Clear();
        var updates = 0;
        for (var m = 0; m < _pending.Markets.Count; m++)
        {
            ref var change = ref _pending.Markets[m];
            var market = GetOrAddMarket(_pending.MarketId(change));
            if (change.Image)
            {
                market.Reset();
            }

            if (change.Definition is { } definition)
            {
                market.ApplyDefinition(definition);
            }

            for (var r = change.RunnerStart; r < change.RunnerStart + change.RunnerCount; r++)
            {
                updates += ApplyRunnerChange(market, ref _pending.Runners[r], publishTime);
            }

            if (change.Tv is { } tv)
            {
                market.TotalVolume = tv;
            }

            market.LastPublishTime = publishTime;
            if (_changedSet.Add(market))
            {
                _changed.Add(market);
            }
        }

        return updates;
    }

    private int ApplyRunnerChange(MarketState market, ref PendingRunner change, long publishTime)
    {
        var runner = market.GetOrAddRunner(change.Id, change.Handicap);
        var ops = _pending.Ops.Items.AsSpan(change.OpStart, change.OpCount);
        foreach (ref readonly var op in ops)
        {
            switch (op.Field)
            {
                case LadderField.Atb:
                    runner.Atb.Set(op.Price, op.Size);
                    market.HasFullDepth = true;
                    break;
                case LadderField.Atl:
                    runner.Atl.Set(op.Price, op.Size);
                    market.HasFullDepth = true;
                    break;
                case LadderField.Trd:
                    if (runner.Trd.Set(op.Price, op.Size))
                    {
                        market.LastMatchTime = publishTime;
                    }

                    break;
                case LadderField.Batb:
                    runner.Batb.Set(op.Level, op.Price, op.Size);
                    market.HasBestOffers = true;
                    break;
                case LadderField.Batl:
                    runner.Batl.Set(op.Level, op.Price, op.Size);
                    market.HasBestOffers = true;
                    break;
                case LadderField.Bdatb:
                    runner.Bdatb.Set(op.Level, op.Price, op.Size);
                    market.HasDisplayOffers = true;
                    break;
                case LadderField.Bdatl:
                    runner.Bdatl.Set(op.Level, op.Price, op.Size);
                    market.HasDisplayOffers = true;
                    break;
            }

            if (op.Size > 0)
            {
                market.HasBook = true;
            }
        }

        if (change.Ltp is { } ltp)
        {
            runner.LastPriceTraded = ltp;
        }

        if (change.Tv is { } tv)
        {
            runner.StreamTradedVolume = tv;
        }

        return ops.Length;
    }

    private MarketState GetOrAddMarket(ReadOnlySpan<char> marketId)
    {
        if (!_marketsBySpan.TryGetValue(marketId, out var market))
        {
            market = new MarketState(marketId.ToString());
            _markets.Add(market.MarketId, market);
        }

        return market;
    }
}

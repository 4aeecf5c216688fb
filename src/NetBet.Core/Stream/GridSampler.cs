namespace NetBet.Core.Stream;

/// <summary>One snapshot a <see cref="GridSampler"/> says is due.</summary>
/// <param name="MarketId">The market.</param>
/// <param name="At">Snapshot time in ms since the Unix epoch: a grid point, or the <c>pt</c> of a status change.</param>
/// <param name="Trigger"><see cref="SnapshotTrigger.Interval"/> for a grid point, <see cref="SnapshotTrigger.StatusChange"/> otherwise.</param>
public readonly record struct DueSnapshot(string MarketId, long At, SnapshotTrigger Trigger);

/// <summary>
/// The carry-forward grid of the live stream recorder and of <c>ingest import --carry-forward</c>, in exchange time
/// (<c>pt</c>) only. Every market is tracked from its first change until it is CLOSED or leaves the cache. At every
/// multiple of the interval (UTC aligned) each tracked market is due one snapshot showing the book after every message
/// published up to and including that instant (so the book is carried forward when nothing changed, and equals what a
/// poll at that instant would answer); a grid point is due when the first message (a change or a heartbeat) with a
/// later <c>pt</c> arrives, before that message is applied. A message that changes a market's status or in-play flag
/// makes it due at that message's <c>pt</c>, after it is applied. Grid points before the <c>pt</c> of a
/// <c>SUB_IMAGE</c> or <c>RESUB_DELTA</c> (the first message after a reconnect) are skipped: the book during the gap
/// is unknown, so none is invented.
/// </summary>
/// <remarks>
/// Call <see cref="BeforeApply"/> with each <c>mcm</c>'s publish time and change type before it changes the cache
/// (<see cref="StreamCache.Apply(ReadOnlySpan{byte}, Action{StreamApplyResult})"/> does that), then
/// <see cref="AfterApply"/>. The same sequence of lines gives the same due snapshots, which is what makes a raw
/// recording replay into the snapshots the live run stored.
/// </remarks>
public sealed class GridSampler
{
    private readonly long _everyMilliseconds;
    private readonly Dictionary<string, Tracked> _tracked = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private readonly HashSet<string> _closed = new(StringComparer.Ordinal);
    private long? _next;

    /// <summary>Creates a sampler.</summary>
    /// <param name="every">Grid interval; at least one millisecond.</param>
    public GridSampler(TimeSpan every)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(every, TimeSpan.FromMilliseconds(1));
        _everyMilliseconds = (long)every.TotalMilliseconds;
    }

    /// <summary>Markets tracked (open, seen since the last image that included them).</summary>
    public int TrackedMarkets => _tracked.Count;

    /// <summary>Whether the market is tracked: seen open and not yet CLOSED (its closing snapshot not yet due).</summary>
    /// <param name="marketId">Market id.</param>
    public bool IsTracked(string marketId) => _tracked.ContainsKey(marketId);

    /// <summary>
    /// Removes from <paramref name="cache"/> the markets the last message closed once their closing snapshot is behind
    /// them (they are no longer tracked), so a long run's memory stays bounded; a market that later lines bring back
    /// after its close (Betfair clearing its ladders) is removed again and never tracked. Call after
    /// <see cref="AfterApply"/> and after the due snapshots were taken.
    /// </summary>
    /// <param name="cache">The cache the message was applied to.</param>
    /// <param name="removed">Receives each market removed for the first time, for the caller's own bookkeeping.</param>
    public void RemoveClosed(StreamCache cache, List<MarketState> removed)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(removed);
        var changed = cache.ChangedMarkets;
        for (var i = changed.Count - 1; i >= 0; i--)
        {
            var market = changed[i];
            if (_closed.Contains(market.MarketId))
            {
                cache.Remove(market.MarketId);
                var index = _order.IndexOf(market.MarketId);
                if (index >= 0)
                {
                    Untrack(index);
                }
            }
            else if (market.Status == "CLOSED" && !_tracked.ContainsKey(market.MarketId))
            {
                cache.Remove(market.MarketId);
                _closed.Add(market.MarketId);
                removed.Add(market);
            }
        }
    }

    /// <summary>The next grid point to be due, ms since the Unix epoch; null before the first message.</summary>
    public long? NextGridPoint => _next;

    /// <summary>Adds the grid points a message at <paramref name="publishTime"/> makes due, before it is applied.</summary>
    /// <param name="publishTime">The message's <c>pt</c>, ms since the Unix epoch.</param>
    /// <param name="changeType">The message's <c>ct</c>.</param>
    /// <param name="due">Receives the due snapshots, markets in the order they were first seen.</param>
    public void BeforeApply(long publishTime, StreamChangeType changeType, List<DueSnapshot> due)
    {
        ArgumentNullException.ThrowIfNull(due);
        if (_next is not { } next || publishTime <= next)
        {
            _next ??= AtOrAfter(publishTime);
            return;
        }

        if (changeType is not (StreamChangeType.SubImage or StreamChangeType.ResubDelta))
        {
            for (var at = next; at < publishTime; at += _everyMilliseconds)
            {
                foreach (var marketId in _order)
                {
                    due.Add(new DueSnapshot(marketId, at, SnapshotTrigger.Interval));
                }
            }
        }

        _next = AtOrAfter(publishTime);
    }

    /// <summary>Tracks new markets and adds status-change snapshots after a message was applied.</summary>
    /// <param name="cache">The cache the message was applied to.</param>
    /// <param name="result">What applying it did.</param>
    /// <param name="due">Receives the due snapshots.</param>
    public void AfterApply(StreamCache cache, StreamApplyResult result, List<DueSnapshot> due)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(due);
        if (result.ChangeType == StreamChangeType.SubImage && result.Kind != StreamMessageKind.SegmentPending)
        {
            // The image replaced the cache: markets it left out are no longer subscribed.
            for (var i = _order.Count - 1; i >= 0; i--)
            {
                if (cache.Find(_order[i]) is null)
                {
                    Untrack(i);
                }
            }
        }

        if (result.Kind != StreamMessageKind.MarketChange || result.PublishTime is not { } publishTime)
        {
            return;
        }

        foreach (var market in cache.ChangedMarkets)
        {
            var status = market.Status;
            var inPlay = market.InPlay;
            if (!_tracked.TryGetValue(market.MarketId, out var last))
            {
                if (status != "CLOSED")
                {
                    _tracked.Add(market.MarketId, new Tracked(status, inPlay));
                    _order.Add(market.MarketId);
                }

                continue;
            }

            if (last.Status == status && last.InPlay == inPlay)
            {
                continue;
            }

            due.Add(new DueSnapshot(market.MarketId, publishTime, SnapshotTrigger.StatusChange));
            if (status == "CLOSED")
            {
                Untrack(_order.IndexOf(market.MarketId));
            }
            else
            {
                _tracked[market.MarketId] = new Tracked(status, inPlay);
            }
        }
    }

    private void Untrack(int index)
    {
        _tracked.Remove(_order[index]);
        _order.RemoveAt(index);
    }

    private long AtOrAfter(long publishTime) => (publishTime + _everyMilliseconds - 1) / _everyMilliseconds * _everyMilliseconds;

    private readonly record struct Tracked(string? Status, bool? InPlay);
}

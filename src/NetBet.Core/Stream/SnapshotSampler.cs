namespace NetBet.Core.Stream;

/// <summary>Why a snapshot is due.</summary>
public enum SnapshotTrigger
{
    /// <summary>No snapshot is due.</summary>
    None,
    /// <summary>The first time the market has a book.</summary>
    First,
    /// <summary>The market status or in-play flag differs from the last snapshot's.</summary>
    StatusChange,
    /// <summary>The publish time entered a new interval of exchange time since the last snapshot.</summary>
    Interval,
}

/// <summary>
/// Decides when a market gets a snapshot, in exchange time (<c>pt</c>) only, so re-reading a file gives the same
/// snapshot times: the first message after which the market has a book, every message that changes the market
/// status or in-play flag, and the first message in each new interval (<c>pt / interval</c> increments), with
/// at most one snapshot per market per millisecond. Markets without a book (definition only, or BASIC files with
/// last traded prices only) never get one.
/// </summary>
public sealed class SnapshotSampler
{
    private readonly long _intervalMilliseconds;
    private readonly Dictionary<MarketState, Last> _last = [];

    /// <summary>Creates a sampler.</summary>
    /// <param name="interval">Exchange time between interval snapshots; at least one millisecond.</param>
    public SnapshotSampler(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.FromMilliseconds(1));
        _intervalMilliseconds = (long)interval.TotalMilliseconds;
    }

    /// <summary>Whether <paramref name="market"/>, just changed by a message at <paramref name="publishTime"/>, is due a snapshot.</summary>
    /// <param name="market">A market from <see cref="StreamCache.ChangedMarkets"/>.</param>
    /// <param name="publishTime">The message's <c>pt</c> in ms since the Unix epoch.</param>
    public SnapshotTrigger Check(MarketState market, long publishTime)
    {
        ArgumentNullException.ThrowIfNull(market);
        if (!market.HasBook)
        {
            return SnapshotTrigger.None;
        }

        if (!_last.TryGetValue(market, out var last))
        {
            return SnapshotTrigger.First;
        }

        if (publishTime <= last.PublishTime)
        {
            return SnapshotTrigger.None;
        }

        if (market.Status != last.Status || market.InPlay != last.InPlay)
        {
            return SnapshotTrigger.StatusChange;
        }

        return Bucket(publishTime) > Bucket(last.PublishTime) ? SnapshotTrigger.Interval : SnapshotTrigger.None;
    }

    /// <summary>Records that a snapshot of <paramref name="market"/> was taken at <paramref name="publishTime"/>.</summary>
    /// <param name="market">The market.</param>
    /// <param name="publishTime">The snapshot's <c>pt</c>.</param>
    public void Taken(MarketState market, long publishTime)
    {
        ArgumentNullException.ThrowIfNull(market);
        _last[market] = new Last(publishTime, market.Status, market.InPlay);
    }

    /// <summary>Forgets <paramref name="market"/> (once it has left the cache), so the sampler holds no closed markets.</summary>
    /// <param name="market">The market.</param>
    /// <returns>True when the market had a snapshot recorded.</returns>
    public bool Forget(MarketState market)
    {
        ArgumentNullException.ThrowIfNull(market);
        return _last.Remove(market);
    }

    private long Bucket(long publishTime) => publishTime / _intervalMilliseconds;

    private readonly record struct Last(long PublishTime, string? Status, bool? InPlay);
}

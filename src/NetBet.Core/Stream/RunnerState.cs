using NetBet.Core.Books;

namespace NetBet.Core.Stream;

/// <summary>
/// The rebuilt state of one runner, keyed by (<c>id</c>, <c>hc</c>): full-depth and level-keyed ladders, traded
/// volume by price, last traded price and the stream's runner <c>tv</c>.
/// </summary>
public sealed class RunnerState
{
    internal RunnerState(long selectionId, long handicapTicks)
    {
        SelectionId = selectionId;
        HandicapTicks = handicapTicks;
    }

    /// <summary>Selection id.</summary>
    public long SelectionId { get; }

    /// <summary>Handicap; 0 outside handicap markets.</summary>
    public double Handicap => PriceTicks.ToDouble(HandicapTicks);

    internal long HandicapTicks { get; }

    /// <summary>Last traded price (<c>ltp</c>); null until the stream sent one.</summary>
    public double? LastPriceTraded { get; internal set; }

    /// <summary>
    /// The stream's runner <c>tv</c> as last sent. In official historical files it is the amount traded in that
    /// update, not a running total, so nothing is derived from it; runner totals come from the traded ladder.
    /// </summary>
    public double? StreamTradedVolume { get; internal set; }

    internal PriceKeyedLadder Atb { get; } = new();

    internal PriceKeyedLadder Atl { get; } = new();

    internal PriceKeyedLadder Trd { get; } = new();

    internal LevelLadder Batb { get; } = new();

    internal LevelLadder Batl { get; } = new();

    internal LevelLadder Bdatb { get; } = new();

    internal LevelLadder Bdatl { get; } = new();

    /// <summary>The traded ladder as it stood when the market last left OPEN (see <see cref="MarketState"/>).</summary>
    internal PriceKeyedLadder? FrozenTrd { get; set; }

    /// <summary>Full-depth <c>atb</c>, best (highest) price first.</summary>
    public IReadOnlyList<PriceSize> AvailableToBack => Atb.Sorted(descending: true);

    /// <summary>Full-depth <c>atl</c>, best (lowest) price first.</summary>
    public IReadOnlyList<PriceSize> AvailableToLay => Atl.Sorted(descending: false);

    /// <summary>Traded volume by price (<c>trd</c>, as rebuilt), lowest price first.</summary>
    public IReadOnlyList<PriceSize> TradedVolume => Trd.Sorted(descending: false);

    /// <summary>Level-keyed best offers to back (<c>batb</c>), level 0 first.</summary>
    public IReadOnlyList<PriceSize> BestAvailableToBack => Batb.Levels();

    /// <summary>Level-keyed best offers to lay (<c>batl</c>), level 0 first.</summary>
    public IReadOnlyList<PriceSize> BestAvailableToLay => Batl.Levels();

    /// <summary>Sum of the rebuilt traded ladder: the runner's total matched.</summary>
    public double TotalMatched => Trd.Total();

    /// <summary>
    /// True when the best back price is at or above the best lay price, reading the full-depth ladder when it
    /// has levels and the level-keyed best offers otherwise. A one-sided or empty book is never crossed.
    /// </summary>
    public bool IsCrossed
    {
        get
        {
            var back = Atb.Count > 0 ? Atb.BestPriceTicks(highest: true) : Batb.BestPriceTicks();
            var lay = Atl.Count > 0 ? Atl.BestPriceTicks(highest: false) : Batl.BestPriceTicks();
            return back is { } b && lay is { } l && b >= l;
        }
    }

    internal bool HasAnyLadder =>
        Atb.Count > 0 || Atl.Count > 0 || Trd.Count > 0 || Batb.Count > 0 || Batl.Count > 0 || Bdatb.Count > 0 || Bdatl.Count > 0;
}

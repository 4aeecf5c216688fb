using System.Buffers;
using System.Text.Json;

namespace NetBet.Core.Stream;

/// <summary>
/// The rebuilt state of one market (FORMATS.md section 3): the latest definition, the market <c>tv</c> and one
/// <see cref="RunnerState"/> per runner key. Read it only between messages, never halfway through one.
/// </summary>
/// <remarks>
/// End-of-market clearing: complete files end with every <c>trd</c> price (and the market <c>tv</c>) set to 0
/// while the market is SUSPENDED or CLOSED. That is Betfair tidying up, not money leaving the market, so when the
/// market leaves OPEN the traded ladders and <c>tv</c> are frozen, and until it is OPEN again the rendered
/// MarketBook shows whichever is larger: the frozen ladder or the live one. Trading cannot happen while the market
/// is not OPEN, so the only thing this hides is the clearing.
/// </remarks>
public sealed class MarketState
{
    private readonly Dictionary<(long Id, long Hc), RunnerState> _byKey = [];
    private readonly List<RunnerState> _runners = [];

    internal MarketState(string marketId) => MarketId = marketId;

    /// <summary>Market id, e.g. <c>1.131162806</c>.</summary>
    public string MarketId { get; }

    /// <summary>The latest market definition; null until one arrived (or since an image without one).</summary>
    public MarketDefinition? Definition { get; private set; }

    /// <summary>Market status from the definition.</summary>
    public string? Status => Definition?.Status;

    /// <summary>In-play flag from the definition.</summary>
    public bool? InPlay => Definition?.InPlay;

    /// <summary>Market total matched (<c>tv</c>) as last sent; null when the file never carried it.</summary>
    public double? TotalVolume { get; internal set; }

    /// <summary>Publish time (<c>pt</c>, ms since the Unix epoch) of the last message that changed this market.</summary>
    public long LastPublishTime { get; internal set; }

    /// <summary>Publish time of the last message in which a traded-volume price went up; null when none did.</summary>
    public long? LastMatchTime { get; internal set; }

    /// <summary>True once any ladder (available or traded) has had a level since the last image.</summary>
    public bool HasBook { get; internal set; }

    /// <summary>Runners in the order they first appeared (definition or runner change).</summary>
    public IReadOnlyList<RunnerState> Runners => _runners;

    /// <summary>True when any runner's book is crossed (see <see cref="RunnerState.IsCrossed"/>).</summary>
    public bool IsCrossed
    {
        get
        {
            foreach (var runner in _runners)
            {
                if (runner.IsCrossed)
                {
                    return true;
                }
            }

            return false;
        }
    }

    internal bool HasFullDepth { get; set; }

    internal bool HasBestOffers { get; set; }

    internal bool HasDisplayOffers { get; set; }

    internal double? FrozenTotalVolume { get; private set; }

    /// <summary>The runner with this key, or null.</summary>
    /// <param name="selectionId">Selection id.</param>
    /// <param name="handicap">Handicap; 0 outside handicap markets.</param>
    public RunnerState? FindRunner(long selectionId, double handicap = 0) =>
        _byKey.GetValueOrDefault((selectionId, (long)Math.Round(handicap * PriceTicks.Scale)));

    /// <summary>
    /// Writes the market as a listMarketBook MarketBook (EX_ALL_OFFERS + EX_TRADED shape): market status and
    /// in-play from the definition, runners in definition order, back levels best (highest) first, lay and traded
    /// levels lowest price first. When the market only ever had level-keyed best offers, those levels are the
    /// ladder. Runner <c>totalMatched</c> is the sum of the traded ladder; market <c>totalMatched</c> is the
    /// stream's <c>tv</c> when the file carries it, otherwise the sum over runners.
    /// </summary>
    /// <param name="writer">Where to write the JSON object.</param>
    public void WriteMarketBook(Utf8JsonWriter writer) => MarketBookJsonWriter.Write(this, writer);

    /// <summary>The MarketBook of <see cref="WriteMarketBook"/> as UTF-8 JSON bytes.</summary>
    public byte[] ToMarketBookJson()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteMarketBook(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    internal RunnerState GetOrAddRunner(long selectionId, long handicapTicks)
    {
        if (!_byKey.TryGetValue((selectionId, handicapTicks), out var runner))
        {
            runner = new RunnerState(selectionId, handicapTicks);
            _byKey.Add((selectionId, handicapTicks), runner);
            _runners.Add(runner);
        }

        return runner;
    }

    internal RunnerState? GetRunner(long selectionId, long handicapTicks) =>
        _byKey.GetValueOrDefault((selectionId, handicapTicks));

    /// <summary><c>img: true</c>: drop everything cached for the market.</summary>
    internal void Reset()
    {
        _byKey.Clear();
        _runners.Clear();
        Definition = null;
        TotalVolume = null;
        FrozenTotalVolume = null;
        LastMatchTime = null;
        HasBook = HasFullDepth = HasBestOffers = HasDisplayOffers = false;
    }

    internal void ApplyDefinition(MarketDefinition definition)
    {
        var wasOpen = Definition?.Status == "OPEN";
        var isOpen = definition.Status == "OPEN";
        Definition = definition;
        foreach (var runner in definition.Runners)
        {
            GetOrAddRunner(runner.SelectionId, (long)Math.Round(runner.Handicap * PriceTicks.Scale));
        }

        if (wasOpen && !isOpen)
        {
            FrozenTotalVolume = TotalVolume;
            foreach (var runner in _runners)
            {
                runner.FrozenTrd = runner.Trd.Count > 0 ? runner.Trd.Copy() : null;
            }
        }
        else if (isOpen)
        {
            FrozenTotalVolume = null;
            foreach (var runner in _runners)
            {
                runner.FrozenTrd = null;
            }
        }
    }

    /// <summary>The traded ladder to render for <paramref name="runner"/> (the end-of-market rule above).</summary>
    internal static PriceKeyedLadder RenderedTrd(RunnerState runner) =>
        runner.FrozenTrd is { } frozen && frozen.Total() > runner.Trd.Total() ? frozen : runner.Trd;

    /// <summary>The market total matched to render, or null to sum the runners.</summary>
    internal double? RenderedTotalVolume() =>
        FrozenTotalVolume is { } frozen && (TotalVolume is not { } tv || frozen > tv) ? frozen : TotalVolume;
}

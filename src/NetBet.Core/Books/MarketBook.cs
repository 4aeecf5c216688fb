namespace NetBet.Core.Books;

/// <summary>One ladder level as listed by Betfair: price in decimal odds, size in the account currency (GBP).</summary>
/// <param name="Price">Decimal odds; 0 when the source sent null.</param>
/// <param name="Size">Unmatched amount; 0 when the source sent null.</param>
public readonly record struct PriceSize(double Price, double Size);

/// <summary>
/// A listMarketBook MarketBook reduced to what the metric engine reads. Levels keep the order in which they were
/// listed: the engine never sorts them.
/// </summary>
/// <param name="MarketId">Betfair market id such as <c>1.216395251</c>; null when absent.</param>
/// <param name="Status">Market status (OPEN, SUSPENDED, CLOSED, ...); null when absent.</param>
/// <param name="Inplay">Whether the market is in play; null when absent.</param>
/// <param name="TotalMatched">Market total matched; null when absent or null.</param>
/// <param name="RunnerEntryCount">Entries in <c>runners</c>, null entries included.</param>
/// <param name="Runners">The runner entries that are objects, in book order.</param>
public sealed record MarketBook(
    string? MarketId,
    string? Status,
    bool? Inplay,
    double? TotalMatched,
    int RunnerEntryCount,
    IReadOnlyList<RunnerBook> Runners)
{
    /// <summary>The runners as a span: no copy when they are an array, as <see cref="MarketBookReader"/> builds them.</summary>
    internal ReadOnlySpan<RunnerBook> RunnerSpan => Runners as RunnerBook[] ?? [.. Runners];
}

/// <summary>One runner of a <see cref="MarketBook"/>.</summary>
/// <param name="SelectionId">Betfair selection id; null when absent, not a JSON number, or 0 (never a real selection).</param>
/// <param name="Status">Runner status; the engine ignores it.</param>
/// <param name="TotalMatched">Runner total matched; null when absent or null.</param>
/// <param name="Back"><c>ex.availableToBack</c> as listed; empty when the side or <c>ex</c> is missing or null.</param>
/// <param name="Lay"><c>ex.availableToLay</c> as listed; empty when the side or <c>ex</c> is missing or null.</param>
/// <param name="TradedVolume">
/// <c>ex.tradedVolume</c> as listed (size = amount matched at that price); null when the reader was not asked for it,
/// empty when the payload has none.
/// </param>
public sealed record RunnerBook(
    long? SelectionId,
    string? Status,
    double? TotalMatched,
    IReadOnlyList<PriceSize> Back,
    IReadOnlyList<PriceSize> Lay,
    IReadOnlyList<PriceSize>? TradedVolume = null)
{
    /// <summary>The back levels as a span: no copy when they are an array, as <see cref="MarketBookReader"/> builds them.</summary>
    internal ReadOnlySpan<PriceSize> BackSpan => Back as PriceSize[] ?? [.. Back];

    /// <summary>The lay levels as a span: no copy when they are an array, as <see cref="MarketBookReader"/> builds them.</summary>
    internal ReadOnlySpan<PriceSize> LaySpan => Lay as PriceSize[] ?? [.. Lay];
}

namespace NetBet.Core.Books;

/// <summary>Which list of a runner's <c>ex</c> a ladder level comes from.</summary>
public enum LadderSide
{
    /// <summary><c>availableToBack</c>: unmatched money a backer can take.</summary>
    Back = 0,
    /// <summary><c>availableToLay</c>: unmatched money a layer can take.</summary>
    Lay,
    /// <summary><c>tradedVolume</c>: money already matched at that price.</summary>
    Traded,
}

/// <summary>One level of a runner's ladder as the payload lists it.</summary>
/// <param name="SelectionId">The runner's selection id; null when the payload has none.</param>
/// <param name="Role">The runner's role in the market; null when the roles are unknown or it plays none.</param>
/// <param name="Side">The list the level comes from.</param>
/// <param name="Level">1-based position in that list (1 = first listed, the best price on Betfair's sides).</param>
/// <param name="Price">Decimal odds; 0 when the payload sent a null level or price.</param>
/// <param name="Size">GBP (unmatched for back/lay, matched for traded); 0 when the payload sent null.</param>
public readonly record struct LadderLevel(long? SelectionId, Outcome? Role, LadderSide Side, int Level, double Price, double Size);

/// <summary>One price row of a trader's ladder: what is offered and what was matched at <see cref="Price"/>.</summary>
/// <param name="Price">Decimal odds.</param>
/// <param name="BackSize">GBP available to back at this price; null when none is listed.</param>
/// <param name="LaySize">GBP available to lay at this price; null when none is listed.</param>
/// <param name="TradedVolume">GBP matched at this price; null when the payload lists none (or no traded volume at all).</param>
/// <param name="IsBestBack">This is the best back price (the first listed back level, as the metric engine reads it).</param>
/// <param name="IsBestLay">This is the best lay price (the first listed lay level).</param>
public sealed record LadderPrice(double Price, double? BackSize, double? LaySize, double? TradedVolume, bool IsBestBack, bool IsBestLay);

/// <summary>One runner's full ladder, prices highest first, as trading tools draw it.</summary>
/// <param name="SelectionId">The runner's selection id; null when the payload has none.</param>
/// <param name="Role">The runner's role; null when unknown.</param>
/// <param name="Status">Runner status as sent (ACTIVE, REMOVED, WINNER, ...).</param>
/// <param name="TotalMatched">Runner total matched, GBP; null when absent.</param>
/// <param name="BestBack">Price of the first listed back level; null when the side is empty (no price, not 0).</param>
/// <param name="BestLay">Price of the first listed lay level; null when the side is empty.</param>
/// <param name="Prices">Every price with a back, lay or traded amount, highest price first.</param>
public sealed record RunnerLadder(
    long? SelectionId,
    Outcome? Role,
    string? Status,
    double? TotalMatched,
    double? BestBack,
    double? BestLay,
    IReadOnlyList<LadderPrice> Prices);

/// <summary>
/// The depth of a <see cref="MarketBook"/> read with traded volume (<see cref="MarketBookReader"/>'s
/// <c>includeTradedVolume</c>): as flat levels for exports, and as per-runner price ladders for the UI.
/// </summary>
public static class BookLadder
{
    private static readonly string[] SideNames = ["back", "lay", "traded"];

    /// <summary>The lower-case name of a side as exports and the API write it: <c>back</c>, <c>lay</c> or <c>traded</c>.</summary>
    /// <param name="side">The side.</param>
    public static string Name(LadderSide side) => SideNames[(int)side];

    /// <summary>The role of <paramref name="selectionId"/> under <paramref name="roles"/>; null when it plays none.</summary>
    /// <param name="roles">The market's roles, or null when unknown.</param>
    /// <param name="selectionId">A selection id, or null.</param>
    public static Outcome? RoleOf(RunnerRoles? roles, long? selectionId)
    {
        if (roles is null || selectionId is not { } id)
        {
            return null;
        }

        return id == roles.Home ? Outcome.Home : id == roles.Away ? Outcome.Away : id == roles.Draw ? Outcome.Draw : null;
    }

    /// <summary>
    /// Every listed level, runner by runner in book order, each runner's back, then lay, then traded list, in listed
    /// order. Null levels are kept (price and size 0) so level numbers match the payload's positions.
    /// </summary>
    /// <param name="book">The book.</param>
    /// <param name="roles">The market's roles, or null when unknown.</param>
    public static IEnumerable<LadderLevel> Levels(MarketBook book, RunnerRoles? roles)
    {
        ArgumentNullException.ThrowIfNull(book);
        foreach (var runner in book.Runners)
        {
            var role = RoleOf(roles, runner.SelectionId);
            foreach (var (side, levels) in Sides(runner))
            {
                for (var i = 0; i < levels.Count; i++)
                {
                    yield return new LadderLevel(runner.SelectionId, role, side, i + 1, levels[i].Price, levels[i].Size);
                }
            }
        }
    }

    /// <summary>
    /// Each runner's price ladder: home, away, draw first (when the roles are known), then the others in book order.
    /// Levels without a positive price are left out; amounts listed twice at one price on one side are added.
    /// </summary>
    /// <param name="book">The book.</param>
    /// <param name="roles">The market's roles, or null when unknown.</param>
    public static IReadOnlyList<RunnerLadder> ByRunner(MarketBook book, RunnerRoles? roles)
    {
        ArgumentNullException.ThrowIfNull(book);
        return
        [
            .. book.Runners
                .Select(runner => ToLadder(runner, RoleOf(roles, runner.SelectionId)))
                .Select((ladder, index) => (ladder, index))
                .OrderBy(x => x.ladder.Role is { } role ? (int)role : 3)
                .ThenBy(x => x.index)
                .Select(x => x.ladder),
        ];
    }

    private static RunnerLadder ToLadder(RunnerBook runner, Outcome? role)
    {
        var rows = new SortedDictionary<double, (double? Back, double? Lay, double? Traded)>(Comparer<double>.Create((a, b) => b.CompareTo(a)));
        foreach (var (side, levels) in Sides(runner))
        {
            foreach (var level in levels)
            {
                if (level.Price <= 0)
                {
                    continue;
                }

                var row = rows.GetValueOrDefault(level.Price);
                rows[level.Price] = side switch
                {
                    LadderSide.Back => row with { Back = (row.Back ?? 0) + level.Size },
                    LadderSide.Lay => row with { Lay = (row.Lay ?? 0) + level.Size },
                    _ => row with { Traded = (row.Traded ?? 0) + level.Size },
                };
            }
        }

        double? bestBack = runner.Back.Count > 0 && runner.Back[0].Price > 0 ? runner.Back[0].Price : null;
        double? bestLay = runner.Lay.Count > 0 && runner.Lay[0].Price > 0 ? runner.Lay[0].Price : null;
        var prices = rows
            .Select(r => new LadderPrice(r.Key, r.Value.Back, r.Value.Lay, r.Value.Traded, r.Key == bestBack, r.Key == bestLay))
            .ToArray();
        return new RunnerLadder(runner.SelectionId, role, runner.Status, runner.TotalMatched, bestBack, bestLay, prices);
    }

    private static IEnumerable<(LadderSide Side, IReadOnlyList<PriceSize> Levels)> Sides(RunnerBook runner)
    {
        yield return (LadderSide.Back, runner.Back);
        yield return (LadderSide.Lay, runner.Lay);
        if (runner.TradedVolume is { } traded)
        {
            yield return (LadderSide.Traded, traded);
        }
    }
}

using NetBet.Core.Books;

namespace NetBet.Core.Metrics;

/// <summary>The per-outcome metrics of a derived row (METRICS.md section 6), in column order.</summary>
public enum OutcomeMetric
{
    /// <summary><c>*_risk</c>: back-liquidity imbalance over 3 levels.</summary>
    Risk = 0,
    /// <summary><c>*_best_back</c>: first back level price, 0 when the side is empty.</summary>
    BestBack,
    /// <summary><c>*_best_lay</c>: first lay level price, 0 when the side is empty.</summary>
    BestLay,
    /// <summary><c>*_best_back_size_l1</c>: first back level size, 0 when invalid.</summary>
    BestBackSizeL1,
    /// <summary><c>*_best_lay_size_l1</c>: first lay level size, 0 when invalid.</summary>
    BestLaySizeL1,
    /// <summary><c>*_spread</c>: best lay minus best back.</summary>
    Spread,
    /// <summary><c>*_impedance</c>: stake impedance index.</summary>
    Impedance,
    /// <summary><c>*_impedance_norm</c>: impedance divided by total stake of the book.</summary>
    ImpedanceNorm,
    /// <summary><c>*_back_stake</c>: sum of valid back sizes over 4 levels.</summary>
    BackStake,
    /// <summary><c>*_back_odds</c>: VWAP of valid back levels over 4 levels.</summary>
    BackOdds,
    /// <summary><c>*_lay_stake</c>: sum of valid lay sizes over 4 levels.</summary>
    LayStake,
    /// <summary><c>*_lay_odds</c>: VWAP of valid lay levels over 4 levels.</summary>
    LayOdds,
    /// <summary><c>*_book_risk_l3</c>: book risk over 3 back levels.</summary>
    BookRiskL3,
}

/// <summary>
/// Column names of <c>market_derived_metrics</c> metric columns, in one canonical order shared by the engine,
/// storage, backfill and audit: 3 outcomes x 13 metrics, then <c>total_volume</c>.
/// </summary>
public static class MetricColumns
{
    /// <summary>Number of metric columns (39 per-outcome columns plus <c>total_volume</c>).</summary>
    public const int Count = 40;

    /// <summary>Index of <c>total_volume</c> in <see cref="Names"/>.</summary>
    public const int TotalVolumeIndex = 39;

    /// <summary>Value of <c>depth_limit</c> written with every row.</summary>
    public const int DepthLimit = 3;

    /// <summary>Value of <c>calculation_version</c> written with every row.</summary>
    public const string CalculationVersion = "imbalance_v1";

    private static readonly string[] OutcomePrefixes = ["home", "away", "draw"];

    private static readonly string[] MetricSuffixes =
    [
        "risk", "best_back", "best_lay", "best_back_size_l1", "best_lay_size_l1", "spread",
        "impedance", "impedance_norm", "back_stake", "back_odds", "lay_stake", "lay_odds", "book_risk_l3",
    ];

    private static readonly string[] AllNames = BuildNames();

    private static readonly Dictionary<string, int> IndexByName =
        AllNames.Select((name, index) => (name, index)).ToDictionary(x => x.name, x => x.index, StringComparer.Ordinal);

    /// <summary>All metric column names in canonical order.</summary>
    public static IReadOnlyList<string> Names => AllNames;

    /// <summary>The outcomes in column order: home, away, draw.</summary>
    public static IReadOnlyList<Outcome> Outcomes { get; } = [Outcome.Home, Outcome.Away, Outcome.Draw];

    /// <summary>The per-outcome metrics in column order.</summary>
    public static IReadOnlyList<OutcomeMetric> Metrics { get; } = Enum.GetValues<OutcomeMetric>();

    /// <summary>The column-name prefix of an outcome: <c>home</c>, <c>away</c> or <c>draw</c>.</summary>
    /// <param name="outcome">The outcome.</param>
    public static string Prefix(Outcome outcome) => OutcomePrefixes[(int)outcome];

    /// <summary>The column-name suffix of a metric, such as <c>best_back_size_l1</c>.</summary>
    /// <param name="metric">The metric.</param>
    public static string Suffix(OutcomeMetric metric) => MetricSuffixes[(int)metric];

    /// <summary>The column name of an outcome metric, such as <c>home_best_back</c>.</summary>
    /// <param name="outcome">The outcome.</param>
    /// <param name="metric">The metric.</param>
    public static string Name(Outcome outcome, OutcomeMetric metric) => AllNames[IndexOf(outcome, metric)];

    /// <summary>Index of an outcome metric in <see cref="Names"/>.</summary>
    /// <param name="outcome">The outcome.</param>
    /// <param name="metric">The metric.</param>
    public static int IndexOf(Outcome outcome, OutcomeMetric metric) => ((int)outcome * MetricSuffixes.Length) + (int)metric;

    /// <summary>Index of a column name in <see cref="Names"/>, or -1 when it is not a metric column.</summary>
    /// <param name="name">Column name such as <c>home_back_stake</c>.</param>
    public static int IndexOf(string name) => IndexByName.TryGetValue(name, out var index) ? index : -1;

    private static string[] BuildNames()
    {
        var names = new List<string>(Count);
        foreach (var outcome in OutcomePrefixes)
        {
            foreach (var metric in MetricSuffixes)
            {
                names.Add($"{outcome}_{metric}");
            }
        }

        names.Add("total_volume");
        return [.. names];
    }
}

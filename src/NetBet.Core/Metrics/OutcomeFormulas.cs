using NetBet.Core.Books;

namespace NetBet.Core.Metrics;

/// <summary>
/// Values the API serves beside the stored metric columns, computed from a row's stored values (METRICS.md
/// sections 4 and 6). Nothing here is stored: a formula change needs no migration or backfill. Every formula is
/// null when one of its inputs is null (a legacy row, or a row without a derived row), never a made-up zero.
/// </summary>
public static class OutcomeFormulas
{
    /// <summary><c>backProfit = backStake × (backOdds − 1)</c>: what the back side of the book wins, in GBP.</summary>
    /// <param name="backStake">Sum of valid back sizes (<c>*_back_stake</c>), GBP.</param>
    /// <param name="backOdds">VWAP of the valid back levels (<c>*_back_odds</c>), decimal odds.</param>
    public static double? BackProfit(double? backStake, double? backOdds) => backStake * (backOdds - 1);

    /// <summary><c>layLiability = layStake × (layOdds − 1)</c>: what the lay side of the book risks, in GBP.</summary>
    /// <param name="layStake">Sum of valid lay sizes (<c>*_lay_stake</c>), GBP.</param>
    /// <param name="layOdds">VWAP of the valid lay levels (<c>*_lay_odds</c>), decimal odds.</param>
    public static double? LayLiability(double? layStake, double? layOdds) => layStake * (layOdds - 1);

    /// <summary><see cref="BackProfit(double?, double?)"/> of one outcome of a row.</summary>
    /// <param name="values">Metric values in <see cref="MetricColumns.Names"/> order.</param>
    /// <param name="outcome">The outcome.</param>
    public static double? BackProfit(IReadOnlyList<double?> values, Outcome outcome)
    {
        ArgumentNullException.ThrowIfNull(values);
        return BackProfit(
            values[MetricColumns.IndexOf(outcome, OutcomeMetric.BackStake)],
            values[MetricColumns.IndexOf(outcome, OutcomeMetric.BackOdds)]);
    }

    /// <summary><see cref="LayLiability(double?, double?)"/> of one outcome of a row.</summary>
    /// <param name="values">Metric values in <see cref="MetricColumns.Names"/> order.</param>
    /// <param name="outcome">The outcome.</param>
    public static double? LayLiability(IReadOnlyList<double?> values, Outcome outcome)
    {
        ArgumentNullException.ThrowIfNull(values);
        return LayLiability(
            values[MetricColumns.IndexOf(outcome, OutcomeMetric.LayStake)],
            values[MetricColumns.IndexOf(outcome, OutcomeMetric.LayOdds)]);
    }

    /// <summary>
    /// Size Impedance Index (L1) of <paramref name="outcome"/>, in GBP: <c>size × (odds − 1)</c> of the outcome's
    /// first back level (<c>*_best_back_size_l1</c>, <c>*_best_back</c>) minus the same for the other two outcomes.
    /// Null when any of the six inputs is null. An empty back side is stored as price 0 and size 0, so its term is 0.
    /// </summary>
    /// <param name="values">Metric values in <see cref="MetricColumns.Names"/> order.</param>
    /// <param name="outcome">The outcome.</param>
    public static double? SizeImpedanceL1(IReadOnlyList<double?> values, Outcome outcome)
    {
        ArgumentNullException.ThrowIfNull(values);
        var index = 0.0;
        foreach (var other in MetricColumns.Outcomes)
        {
            var size = values[MetricColumns.IndexOf(other, OutcomeMetric.BestBackSizeL1)];
            var odds = values[MetricColumns.IndexOf(other, OutcomeMetric.BestBack)];
            if (size is not { } s || odds is not { } o)
            {
                return null;
            }

            var term = s * (o - 1);
            index = other == outcome ? index + term : index - term;
        }

        return index;
    }
}

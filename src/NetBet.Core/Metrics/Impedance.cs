using System.Globalization;
using NetBet.Core.Books;

namespace NetBet.Core.Metrics;

/// <summary>
/// Stake impedance and its VWAP inputs over the first 4 levels, in decimal arithmetic (METRICS.md section 4).
/// </summary>
internal static class Impedance
{
    public const int Depth = 4;

    private const decimal Eps = 0.000000001m;

    private readonly record struct SideVwap(decimal Stake, decimal Odds);

    private readonly record struct RunnerVwap(long SelectionId, SideVwap Back, SideVwap Lay);

    public static void Write(double?[] values, IReadOnlyList<RunnerBook> runners, RunnerRoles roles)
    {
        // Every runner with a selection id takes part, first occurrence wins (METRICS.md 7.3, 7.4).
        var vwaps = new List<RunnerVwap>(runners.Count);
        foreach (var runner in runners)
        {
            if (runner.SelectionId is not { } id || vwaps.Exists(v => v.SelectionId == id))
            {
                continue;
            }

            vwaps.Add(new RunnerVwap(id, Vwap(runner.Back), Vwap(runner.Lay)));
        }

        var scale = 0m;
        foreach (var v in vwaps)
        {
            scale += v.Back.Stake;
        }

        foreach (var v in vwaps)
        {
            scale += v.Lay.Stake;
        }

        for (var o = 0; o < 3; o++)
        {
            var outcome = (Outcome)o;
            var index = vwaps.FindIndex(v => v.SelectionId == roles[outcome]);
            if (index < 0)
            {
                continue; // no impedance entry: the six columns stay NULL
            }

            var j = vwaps[index];
            var liabilityBack = (j.Back.Odds - 1m) * j.Back.Stake;
            var winLay = (j.Lay.Odds - 1m) * j.Lay.Stake;
            var others = 0m;
            for (var i = 0; i < vwaps.Count; i++)
            {
                if (i != index)
                {
                    others += vwaps[i].Back.Stake - vwaps[i].Lay.Stake;
                }
            }

            var impedance = -((winLay - liabilityBack) + others);
            var norm = scale <= 0m ? 0m : impedance / scale;
            if (scale <= 0m)
            {
                impedance = 0m;
            }

            values[MetricColumns.IndexOf(outcome, OutcomeMetric.Impedance)] = Output(impedance);
            values[MetricColumns.IndexOf(outcome, OutcomeMetric.ImpedanceNorm)] = Output(norm);
            values[MetricColumns.IndexOf(outcome, OutcomeMetric.BackStake)] = Output(j.Back.Stake);
            values[MetricColumns.IndexOf(outcome, OutcomeMetric.BackOdds)] = Output(j.Back.Odds);
            values[MetricColumns.IndexOf(outcome, OutcomeMetric.LayStake)] = Output(j.Lay.Stake);
            values[MetricColumns.IndexOf(outcome, OutcomeMetric.LayOdds)] = Output(j.Lay.Odds);
        }
    }

    private static SideVwap Vwap(IReadOnlyList<PriceSize> side)
    {
        decimal stake = 0m, notional = 0m;
        var depth = Math.Min(Depth, side.Count);
        for (var i = 0; i < depth; i++)
        {
            var level = side[i];
            if (level.Size <= 0 || level.Price <= 1)
            {
                continue; // skipped, but it still used up one of the 4 levels
            }

            var size = ToDecimal(level.Size);
            stake += size;
            notional += ToDecimal(level.Price) * size;
        }

        return new SideVwap(stake, stake > 0m ? notional / (stake + Eps) : 0m);
    }

    private static double Output(decimal value)
    {
        var d = (double)value;
        return double.IsFinite(d) ? Math.Round(d, 8) : 0.0;
    }

    /// <summary>
    /// The decimal of a JSON number's shortest round-trip text. The 15-digit conversion is exact whenever it
    /// round-trips, because two different 15-digit decimals never map to the same double.
    /// </summary>
    internal static decimal ToDecimal(double value)
    {
        if (Math.Abs(value) < 7.9e27)
        {
            var fast = (decimal)value;
            if ((double)fast == value)
            {
                return fast;
            }
        }

        return decimal.Parse(value.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}

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

    internal readonly record struct SideVwap(decimal Stake, decimal Odds);

    private readonly record struct RunnerVwap(long SelectionId, SideVwap Back, SideVwap Lay);

    // Books list 3 runners; more than this few go to the heap.
    private const int StackRunners = 8;

    public static void Write(double?[] values, ReadOnlySpan<RunnerBook> runners, RunnerRoles roles)
    {
        // Every runner with a selection id takes part, first occurrence wins (METRICS.md 7.3, 7.4).
        var vwaps = runners.Length <= StackRunners ? stackalloc RunnerVwap[StackRunners] : new RunnerVwap[runners.Length];
        var count = 0;
        foreach (var runner in runners)
        {
            if (runner.SelectionId is not { } id || IndexOf(vwaps, count, id) >= 0)
            {
                continue;
            }

            vwaps[count++] = new RunnerVwap(id, Vwap(runner.BackSpan), Vwap(runner.LaySpan));
        }

        var scale = 0m;
        for (var i = 0; i < count; i++)
        {
            scale += vwaps[i].Back.Stake;
        }

        for (var i = 0; i < count; i++)
        {
            scale += vwaps[i].Lay.Stake;
        }

        for (var o = 0; o < 3; o++)
        {
            var outcome = (Outcome)o;
            var index = IndexOf(vwaps, count, roles[outcome]);
            if (index < 0)
            {
                continue; // no impedance entry: the six columns stay NULL
            }

            var j = vwaps[index];
            var liabilityBack = (j.Back.Odds - 1m) * j.Back.Stake;
            var winLay = (j.Lay.Odds - 1m) * j.Lay.Stake;
            var others = 0m;
            for (var i = 0; i < count; i++)
            {
                if (i != index)
                {
                    others += vwaps[i].Back.Stake - vwaps[i].Lay.Stake;
                }
            }

            decimal impedance = 0m, norm = 0m;
            if (scale > 0m)
            {
                impedance = -((winLay - liabilityBack) + others);
                norm = impedance / scale;
            }

            values[MetricColumns.IndexOf(outcome, OutcomeMetric.Impedance)] = Output(impedance);
            values[MetricColumns.IndexOf(outcome, OutcomeMetric.ImpedanceNorm)] = Output(norm);
            values[MetricColumns.IndexOf(outcome, OutcomeMetric.BackStake)] = Output(j.Back.Stake);
            values[MetricColumns.IndexOf(outcome, OutcomeMetric.BackOdds)] = Output(j.Back.Odds);
            values[MetricColumns.IndexOf(outcome, OutcomeMetric.LayStake)] = Output(j.Lay.Stake);
            values[MetricColumns.IndexOf(outcome, OutcomeMetric.LayOdds)] = Output(j.Lay.Odds);
        }
    }

    private static int IndexOf(ReadOnlySpan<RunnerVwap> vwaps, int count, long selectionId)
    {
        for (var i = 0; i < count; i++)
        {
            if (vwaps[i].SelectionId == selectionId)
            {
                return i;
            }
        }

        return -1;
    }

    internal static SideVwap Vwap(ReadOnlySpan<PriceSize> side) => VwapInCents(side) ?? VwapInDecimal(side);

    /// <summary>
    /// The VWAP of a side whose counted prices and sizes all have at most 2 decimals (Betfair's), in integer cents:
    /// the decimal sums would be the same integers at scale 2 (stakes) and 4 (price times size), exactly, so they are
    /// built directly, bit for bit what <see cref="VwapInDecimal"/> returns. Null when a value does not fit.
    /// </summary>
    private static SideVwap? VwapInCents(ReadOnlySpan<PriceSize> side)
    {
        long stakeCents = 0, notional = 0; // notional in 1/10,000
        var counted = false;
        var depth = Math.Min(Depth, side.Length);
        for (var i = 0; i < depth; i++)
        {
            var level = side[i];
            if (level.Size <= 0 || level.Price <= 1)
            {
                continue;
            }

            // Bounds keep each product below 2^61 and the sums of at most 4 levels inside a long.
            if (Cents(level.Size) is not { } size || size >= int.MaxValue || Cents(level.Price) is not { } price || price >= 1L << 30)
            {
                return null;
            }

            stakeCents += size;
            notional += price * size;
            counted = true;
        }

        if (!counted)
        {
            return new SideVwap(0m, 0m);
        }

        var stake = new decimal((int)stakeCents, (int)(stakeCents >> 32), 0, false, 2);
        return new SideVwap(stake, new decimal((int)notional, (int)(notional >> 32), 0, false, 4) / (stake + Eps));
    }

    internal static SideVwap VwapInDecimal(ReadOnlySpan<PriceSize> side)
    {
        decimal stake = 0m, notional = 0m;
        var depth = Math.Min(Depth, side.Length);
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
    /// |<paramref name="value"/>| in cents when its shortest round-trip text has at most 2 decimals, i.e. when the
    /// decimal m / 100 converts back to it; null otherwise. (double)decimal is (double)m / 100.0 with the sign applied
    /// (m &lt; 2^53 converts exactly), so that is compared directly instead of converting a decimal back.
    /// </summary>
    private static long? Cents(double value)
    {
        var cents = value * 100.0;
        if (Math.Abs(cents) < 1e15 && cents == Math.Round(cents))
        {
            var m = (long)Math.Abs(cents);
            if (m / 100.0 == Math.Abs(value))
            {
                return m;
            }
        }

        return null;
    }

    /// <summary>
    /// The decimal of a JSON number's shortest round-trip text. The 15-digit conversion is exact whenever it
    /// round-trips, because two different 15-digit decimals never map to the same double.
    /// </summary>
    internal static decimal ToDecimal(double value)
    {
        // Betfair prices and sizes have at most 2 decimals: try that exact candidate first.
        if (Cents(value) is { } m)
        {
            return new decimal((int)m, (int)(m >> 32), 0, value < 0, 2);
        }

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

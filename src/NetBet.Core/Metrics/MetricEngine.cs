using NetBet.Core.Books;

namespace NetBet.Core.Metrics;

/// <summary>
/// The one metric engine shared by live ingestion, historical import and backfill. It reproduces the production
/// system at calculation version <c>imbalance_v1</c> exactly, odd corners included (METRICS.md section 7).
/// Pure and thread-safe.
/// </summary>
public static class MetricEngine
{
    /// <summary>Levels read by the imbalance and book risk metrics.</summary>
    public const int ImbalanceDepth = 3;

    /// <summary>
    /// Computes the derived row for <paramref name="book"/>, or the reason no row is written.
    /// </summary>
    /// <param name="book">The MarketBook.</param>
    /// <param name="roles">Selection ids of HOME, AWAY and DRAW; null when the market's roles are not all known.</param>
    public static MetricResult Compute(MarketBook book, RunnerRoles? roles)
    {
        ArgumentNullException.ThrowIfNull(book);
        if (string.IsNullOrEmpty(book.MarketId))
        {
            return new MetricResult(null, SkipReason.NoMarketId);
        }

        if (book.RunnerEntryCount < 3)
        {
            return new MetricResult(null, SkipReason.FewerThanThreeRunners);
        }

        if (roles is null)
        {
            return new MetricResult(null, SkipReason.RolesIncomplete);
        }

        // Later duplicates replace earlier ones for imbalance, book risk and best prices (METRICS.md 7.3).
        Span<int> roleRunner = [-1, -1, -1];
        var runners = book.RunnerSpan;
        for (var i = 0; i < runners.Length; i++)
        {
            var id = runners[i].SelectionId;
            if (id is null)
            {
                continue;
            }

            for (var o = 0; o < 3; o++)
            {
                if (id == roles[(Outcome)o])
                {
                    roleRunner[o] = i;
                }
            }
        }

        if (roleRunner[0] < 0 || roleRunner[1] < 0 || roleRunner[2] < 0)
        {
            return new MetricResult(null, SkipReason.RoleRunnerMissing);
        }

        var values = new double?[MetricColumns.Count];
        var home = runners[roleRunner[0]];
        var away = runners[roleRunner[1]];
        var draw = runners[roleRunner[2]];

        WriteImbalance(values, home, away, draw);
        WriteBookRisk(values, home, away, draw);
        for (var o = 0; o < 3; o++)
        {
            WriteBestPrices(values, (Outcome)o, runners[roleRunner[o]]);
        }

        Impedance.Write(values, runners, roles);
        values[MetricColumns.TotalVolumeIndex] = TotalVolume(book);
        return new MetricResult(new DerivedRow(book.MarketId, values), null);
    }

    /// <summary>
    /// Back liquidity of one runner: running sum of <c>size * (price - 1.0)</c> over the first 3 back levels as
    /// listed, with no validity filter.
    /// </summary>
    internal static double BackLiquidity(RunnerBook runner)
    {
        var sum = 0.0;
        var back = runner.BackSpan;
        var depth = Math.Min(ImbalanceDepth, back.Length);
        for (var i = 0; i < depth; i++)
        {
            sum += back[i].Size * (back[i].Price - 1.0);
        }

        return sum;
    }

    private static void WriteImbalance(double?[] values, RunnerBook home, RunnerBook away, RunnerBook draw)
    {
        var h = BackLiquidity(home);
        var a = BackLiquidity(away);
        var d = BackLiquidity(draw);
        values[MetricColumns.IndexOf(Outcome.Home, OutcomeMetric.Risk)] = h - (a + d);
        values[MetricColumns.IndexOf(Outcome.Away, OutcomeMetric.Risk)] = a - (h + d);
        values[MetricColumns.IndexOf(Outcome.Draw, OutcomeMetric.Risk)] = d - (h + a);
    }

    private static void WriteBookRisk(double?[] values, RunnerBook home, RunnerBook away, RunnerBook draw)
    {
        var (wh, sh) = WinAndStake(home);
        var (wa, sa) = WinAndStake(away);
        var (wd, sd) = WinAndStake(draw);
        values[MetricColumns.IndexOf(Outcome.Home, OutcomeMetric.BookRiskL3)] = wh - (sa + sd);
        values[MetricColumns.IndexOf(Outcome.Away, OutcomeMetric.BookRiskL3)] = wa - (sh + sd);
        values[MetricColumns.IndexOf(Outcome.Draw, OutcomeMetric.BookRiskL3)] = wd - (sh + sa);
    }

    // W sums size * (price - 1) over levels with size > 0; S sums every size, unfiltered.
    private static (double Win, double Stake) WinAndStake(RunnerBook runner)
    {
        double win = 0.0, stake = 0.0;
        var back = runner.BackSpan;
        var depth = Math.Min(ImbalanceDepth, back.Length);
        for (var i = 0; i < depth; i++)
        {
            var level = back[i];
            if (level.Size > 0)
            {
                win += level.Size * (level.Price - 1.0);
            }

            stake += level.Size;
        }

        return (win, stake);
    }

    private static void WriteBestPrices(double?[] values, Outcome outcome, RunnerBook runner)
    {
        var (backPrice, backSize) = FirstLevel(runner.BackSpan);
        var (layPrice, laySize) = FirstLevel(runner.LaySpan);
        values[MetricColumns.IndexOf(outcome, OutcomeMetric.BestBack)] = backPrice;
        values[MetricColumns.IndexOf(outcome, OutcomeMetric.BestLay)] = layPrice;
        values[MetricColumns.IndexOf(outcome, OutcomeMetric.BestBackSizeL1)] = backSize;
        values[MetricColumns.IndexOf(outcome, OutcomeMetric.BestLaySizeL1)] = laySize;
        // Not validated: an empty lay side gives -best_back (METRICS.md 7.5).
        values[MetricColumns.IndexOf(outcome, OutcomeMetric.Spread)] = layPrice - backPrice;
    }

    // The price is reported as listed; the size is zeroed when the level is invalid.
    private static (double Price, double Size) FirstLevel(ReadOnlySpan<PriceSize> side)
    {
        if (side.IsEmpty)
        {
            return (0.0, 0.0);
        }

        var level = side[0];
        return (level.Price, level.Price <= 1.0 || level.Size <= 0.0 ? 0.0 : level.Size);
    }

    private static double TotalVolume(MarketBook book)
    {
        if (book.TotalMatched is { } marketTotal)
        {
            return marketTotal;
        }

        // Fallback sums every runner entry, duplicates included (METRICS.md 7.3).
        var sum = 0.0;
        foreach (var runner in book.RunnerSpan)
        {
            sum += runner.TotalMatched ?? 0.0;
        }

        return sum;
    }
}

using System.Globalization;
using System.Text;

namespace NetBet.Cli.Tests.Backfill;

/// <summary>
/// Deterministic, realistic MATCH_ODDS books for tests: 3 runners, prices on Betfair's tick ladder, 1-10 levels a
/// side, sizes with 2 decimals, in listMarketBook's JSON shape.
/// </summary>
internal static class TestBooks
{
    private static readonly double[] Ladder = BuildLadder();

    /// <summary>Selection ids (home, away, draw) of market number <paramref name="market"/>.</summary>
    public static (long Home, long Away, long Draw) SelectionIds(int market) =>
        (1_000_000 + (market * 10), 1_000_001 + (market * 10), 58805);

    public static string MarketId(int market) => $"1.{250_000_000 + market}";

    public static string Generate(Random random, int market)
    {
        var (home, away, draw) = SelectionIds(market);
        var totalMatched = Math.Round(random.NextDouble() * 500_000, 2);
        var sb = new StringBuilder(3000);
        sb.Append(CultureInfo.InvariantCulture, $$"""{"marketId":"{{MarketId(market)}}","isMarketDataDelayed":false,"status":"OPEN","betDelay":0,"inplay":false,"totalMatched":{{totalMatched}},"runners":[""");
        long[] ids = [home, away, draw];
        for (var r = 0; r < 3; r++)
        {
            var bestBackTick = random.Next(20, 200);
            sb.Append(r > 0 ? "," : "");
            sb.Append(CultureInfo.InvariantCulture, $$"""{"selectionId":{{ids[r]}},"handicap":0.0,"status":"ACTIVE","totalMatched":{{Math.Round(totalMatched / 3, 2)}},"ex":{"availableToBack":[""");
            AppendSide(sb, random, bestBackTick, -1);
            sb.Append("],\"availableToLay\":[");
            AppendSide(sb, random, bestBackTick + 1, +1);
            sb.Append("],\"tradedVolume\":[]}}");
        }

        sb.Append("]}");
        return sb.ToString();
    }

    private static void AppendSide(StringBuilder sb, Random random, int startTick, int direction)
    {
        var levels = random.Next(1, 11);
        var tick = startTick;
        for (var i = 0; i < levels && tick >= 0 && tick < Ladder.Length; i++)
        {
            sb.Append(i > 0 ? "," : "");
            var size = Math.Round((random.NextDouble() * random.NextDouble() * 2000) + 2, 2);
            sb.Append(CultureInfo.InvariantCulture, $$"""{"price":{{Ladder[tick]}},"size":{{size}}}""");
            tick += direction * random.Next(1, 3);
        }
    }

    private static double[] BuildLadder()
    {
        (decimal Upto, decimal Step)[] bands = [(2m, 0.01m), (3m, 0.02m), (4m, 0.05m), (6m, 0.1m), (10m, 0.2m), (20m, 0.5m), (30m, 1m), (50m, 2m), (100m, 5m), (1000m, 10m)];
        var prices = new List<double>();
        var price = 1.01m;
        foreach (var (upto, step) in bands)
        {
            while (price <= upto)
            {
                prices.Add((double)price);
                price += step;
            }
        }

        return [.. prices];
    }
}

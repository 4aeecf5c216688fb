using System.Globalization;
using System.Text;
using NetBet.Core.Books;

namespace NetBet.Bench;

/// <summary>
/// Realistic listMarketBook MarketBooks for benchmarks: 3 runners, prices on Betfair's tick ladder, 1-10 levels a
/// side, sizes with 2 decimals, shaped like EX_ALL_OFFERS responses (about 2-3 KB each).
/// </summary>
internal static class BookGenerator
{
    public static readonly long[] SelectionIds = [47972, 48461, 58805];

    // Betfair's price ladder, shared with the fake exchange.
    private static IReadOnlyList<double> Ladder => PriceLadder.All;

    public static byte[] Generate(Random random, string marketId)
    {
        var sb = new StringBuilder(3000);
        var totalMatched = Math.Round(random.NextDouble() * 500_000, 2);
        sb.Append(CultureInfo.InvariantCulture,
            $$"""{"marketId":"{{marketId}}","isMarketDataDelayed":false,"status":"OPEN","betDelay":0,"bspReconciled":false,"complete":true,"inplay":false,"numberOfWinners":1,"numberOfRunners":3,"numberOfActiveRunners":3,"lastMatchTime":"2026-11-26T12:00:00.000Z","totalMatched":{{totalMatched}},"totalAvailable":{{Math.Round(totalMatched / 3, 2)}},"crossMatching":true,"runnersVoidable":false,"version":4711,"runners":[""");
        for (var r = 0; r < 3; r++)
        {
            var bestBackTick = random.Next(40, 200);
            if (r > 0)
            {
                sb.Append(',');
            }

            sb.Append(CultureInfo.InvariantCulture,
                $$"""{"selectionId":{{SelectionIds[r]}},"handicap":0.0,"status":"ACTIVE","lastPriceTraded":{{Ladder[bestBackTick]}},"totalMatched":{{Math.Round(totalMatched / 3, 2)}},"ex":{"availableToBack":[""");
            AppendSide(sb, random, bestBackTick, -1);
            sb.Append("],\"availableToLay\":[");
            AppendSide(sb, random, bestBackTick + 1, +1);
            sb.Append("],\"tradedVolume\":[]}}");
        }

        sb.Append("]}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static void AppendSide(StringBuilder sb, Random random, int startTick, int direction)
    {
        var levels = random.Next(1, 11);
        var tick = startTick;
        for (var i = 0; i < levels && tick >= 0 && tick < Ladder.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            var size = Math.Round((random.NextDouble() * random.NextDouble() * 2000) + 2, 2);
            sb.Append(CultureInfo.InvariantCulture, $$"""{"price":{{Ladder[tick]}},"size":{{size}}}""");
            tick += direction * random.Next(1, 3);
        }
    }
}

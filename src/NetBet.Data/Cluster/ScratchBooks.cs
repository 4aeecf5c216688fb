using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Data.Snapshots;
using Npgsql;

namespace NetBet.Data.Cluster;

/// <summary>
/// Deterministic, realistic MATCH_ODDS history for scratch databases (<see cref="ScratchDatabases"/>): 3 runners,
/// prices on Betfair's tick ladder, 1-10 levels a side, sizes with 2 decimals, in listMarketBook's JSON shape, stored
/// the way ingestion stores them. The same seed gives the same books.
/// </summary>
public static class ScratchBooks
{
    /// <summary>Selection ids (home, away, draw) of market number <paramref name="market"/>.</summary>
    public static (long Home, long Away, long Draw) SelectionIds(int market) =>
        (1_000_000 + (market * 10), 1_000_001 + (market * 10), 58805);

    /// <summary>The roles of market number <paramref name="market"/>.</summary>
    public static RunnerRoles Roles(int market)
    {
        var (home, away, draw) = SelectionIds(market);
        return new RunnerRoles(home, away, draw);
    }

    /// <summary>The market id of market number <paramref name="market"/>, such as <c>1.250000000</c>.</summary>
    public static string MarketId(int market) => $"1.{250_000_000 + market}";

    /// <summary>One MarketBook of market number <paramref name="market"/> as JSON text.</summary>
    public static string Generate(Random random, int market)
    {
        ArgumentNullException.ThrowIfNull(random);
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

    /// <summary>
    /// Stores markets <paramref name="firstMarket"/> .. + <paramref name="markets"/> with <paramref name="perMarket"/>
    /// snapshots each, one minute apart from <paramref name="start"/> (market m offset by m seconds), through
    /// <see cref="SnapshotWriter"/> with their metadata, roles and derived rows, as ingestion writes them on the
    /// schema the database has. Returns each payload by (market id, snapshot time).
    /// </summary>
    public static async Task<Dictionary<(string MarketId, DateTimeOffset At), string>> StoreAsync(
        NpgsqlDataSource dataSource, int markets, int perMarket, int seed, DateTimeOffset start, CancellationToken cancellationToken, int firstMarket = 0)
    {
        var writer = new SnapshotWriter(dataSource, NullLogger<SnapshotWriter>.Instance);
        var random = new Random(seed);
        var payloads = new Dictionary<(string, DateTimeOffset), string>();
        for (var m = firstMarket; m < firstMarket + markets; m++)
        {
            var roles = Roles(m);
            var marketId = MarketId(m);
            var metadata = new MarketMetadata(marketId) { MarketName = "Match Odds", EventName = $"Home {m} v Away {m}" }.WithRoles(roles);
            var snapshots = new List<SnapshotRecord>(perMarket);
            for (var i = 0; i < perMarket; i++)
            {
                var payload = Generate(random, m);
                var at = start.AddMinutes(i).AddSeconds(m);
                payloads[(marketId, at)] = payload;
                snapshots.Add(new SnapshotRecord(marketId, at)
                {
                    RawPayload = payload,
                    Status = "OPEN",
                    Inplay = false,
                    DepthLimit = 10,
                    Derived = MetricEngine.Compute(MarketBookReader.Read(Encoding.UTF8.GetBytes(payload)), roles).Row,
                });
            }

            await writer.WriteAsync(new SnapshotBatch([metadata], snapshots), cancellationToken);
        }

        return payloads;
    }

    private static void AppendSide(StringBuilder sb, Random random, int startTick, int direction)
    {
        var levels = random.Next(1, 11);
        var tick = startTick;
        for (var i = 0; i < levels && tick >= 0 && tick < PriceLadder.Count; i++)
        {
            sb.Append(i > 0 ? "," : "");
            var size = Math.Round((random.NextDouble() * random.NextDouble() * 2000) + 2, 2);
            sb.Append(CultureInfo.InvariantCulture, $$"""{"price":{{PriceLadder.At(tick)}},"size":{{size}}}""");
            tick += direction * random.Next(1, 3);
        }
    }
}

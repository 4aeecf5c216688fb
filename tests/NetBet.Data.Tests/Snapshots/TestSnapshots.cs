using System.Globalization;
using System.Text;
using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Data.Snapshots;

namespace NetBet.Data.Tests.Snapshots;

/// <summary>Realistic three-runner books, their derived rows from the real engine, and metadata.</summary>
internal static class TestSnapshots
{
    public static readonly RunnerRoles Roles = new(47972, 48351, 58805);

    public static readonly DateTimeOffset Start = new(2026, 3, 14, 15, 0, 0, TimeSpan.Zero);

    private static int _markets;

    /// <summary>A market id no other test uses.</summary>
    public static string NewMarketId() => "1." + (230000000 + Interlocked.Increment(ref _markets)).ToString(CultureInfo.InvariantCulture);

    public static MarketMetadata Metadata(string marketId) => new MarketMetadata(marketId)
    {
        MarketName = "Match Odds",
        MarketStartTime = Start,
        SportId = "1",
        SportName = "Soccer",
        EventId = "35123456",
        EventName = "Arsenal v Chelsea",
        CountryCode = "GB",
        CompetitionId = "10932509",
        CompetitionName = "English Premier League",
        Timezone = "Europe/London",
        HomeRunnerName = "Arsenal",
        AwayRunnerName = "Chelsea",
        DrawRunnerName = "The Draw",
    }.WithRoles(Roles);

    public static string Payload(string marketId, int seed)
    {
        var json = new StringBuilder();
        json.Append(CultureInfo.InvariantCulture, $$"""{"marketId":"{{marketId}}","status":"OPEN","inplay":false,"totalMatched":{{1000 + seed}}.5,"runners":[""");
        long[] ids = [Roles.Home, Roles.Away, Roles.Draw];
        for (var r = 0; r < ids.Length; r++)
        {
            var basePrice = 2.0 + r + ((seed % 7) * 0.02);
            json.Append(r == 0 ? "" : ",");
            json.Append(CultureInfo.InvariantCulture, $$"""{"selectionId":{{ids[r]}},"status":"ACTIVE","totalMatched":{{100 + r}},"ex":{"availableToBack":[""");
            for (var level = 0; level < 3; level++)
            {
                json.Append(level == 0 ? "" : ",").Append(CultureInfo.InvariantCulture, $$"""{"price":{{Math.Round(basePrice - (level * 0.02), 2)}},"size":{{10 + seed + level}}}""");
            }

            json.Append("],\"availableToLay\":[");
            for (var level = 0; level < 3; level++)
            {
                json.Append(level == 0 ? "" : ",").Append(CultureInfo.InvariantCulture, $$"""{"price":{{Math.Round(basePrice + 0.02 + (level * 0.02), 2)}},"size":{{20 + seed + level}}}""");
            }

            json.Append("]}}");
        }

        return json.Append("]}").ToString();
    }

    public static SnapshotRecord Snapshot(string marketId, int seed, bool derived = true)
    {
        var payload = Payload(marketId, seed);
        var book = MarketBookReader.Read(Encoding.UTF8.GetBytes(payload));
        return new SnapshotRecord(marketId, Start.AddSeconds(seed))
        {
            RawPayload = payload,
            TotalMatched = book.TotalMatched,
            Inplay = book.Inplay,
            Status = book.Status,
            DepthLimit = 3,
            Derived = derived ? MetricEngine.Compute(book, Roles).Row ?? throw new InvalidOperationException("no derived row") : null,
        };
    }
}

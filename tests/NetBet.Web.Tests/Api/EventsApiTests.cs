using System.Net;
using System.Text.Json;
using NetBet.Core.Metrics;

namespace NetBet.Web.Tests.Api;

public sealed class EventsApiTests(WebFixture web)
{
    private static readonly string[] PointMetricNames =
    [
        .. new[] { "home", "away", "draw" }.SelectMany(o => new[]
        {
            $"{o}_best_back", $"{o}_best_lay", $"{o}_best_back_size_l1", $"{o}_best_lay_size_l1", $"{o}_spread", $"{o}_risk", $"{o}_book_risk_l3",
        }),
        "total_volume",
    ];

    private static string Path(string marketId, string query = "") => $"/api/events/{marketId}/timeseries{query}";

    private static readonly DateTimeOffset BucketOrigin = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The last seeded snapshot time of each bucket (aligned on 2000-01-01 UTC, like the API), oldest first.</summary>
    private List<DateTimeOffset> ExpectedBuckets(TimeSpan bucket, DateTimeOffset? from = null, DateTimeOffset? to = null) =>
        [.. web.Seed.HistoryTimes
            .Where(t => (from is null || t >= from) && (to is null || t <= to))
            .GroupBy(t => (t - BucketOrigin).Ticks / bucket.Ticks)
            .Select(g => g.Max())
            .Order()];

    [Fact]
    public async Task Timeseries_DefaultInterval_IsTheLastSnapshotOfEachQuarterHour()
    {
        using var client = web.CreateClient();

        var points = await client.GetJsonAsync(Path(SeedData.HistoryMarket));

        var times = points.EnumerateArray().Select(p => p.GetProperty("snapshot_at").GetDateTimeOffset()).ToList();
        Assert.Equal(ExpectedBuckets(TimeSpan.FromMinutes(15)), times);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(60)]
    [InlineData(1440)]
    public async Task Timeseries_Interval_IsTheLastSnapshotOfEachBucket(int minutes)
    {
        using var client = web.CreateClient();

        var points = await client.GetJsonAsync(Path(SeedData.HistoryMarket, $"?interval_minutes={minutes}"));

        var times = points.EnumerateArray().Select(p => p.GetProperty("snapshot_at").GetDateTimeOffset()).ToList();
        Assert.Equal(ExpectedBuckets(TimeSpan.FromMinutes(minutes)), times);
    }

    [Fact]
    public async Task Timeseries_FromTo_LimitsTheWindowInclusively()
    {
        using var client = web.CreateClient();
        var from = web.Seed.HistoryTimes[10];
        var to = web.Seed.HistoryTimes[40];

        var points = await client.GetJsonAsync(Path(SeedData.HistoryMarket, $"?interval_minutes=1&from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}"));

        var times = points.EnumerateArray().Select(p => p.GetProperty("snapshot_at").GetDateTimeOffset()).ToList();
        Assert.Equal(web.Seed.HistoryTimes[10..41], times);
    }

    [Fact]
    public async Task Timeseries_Point_HasTheIssueFieldsAndSnapshotId()
    {
        using var client = web.CreateClient();

        var point = (await client.GetJsonAsync(Path(SeedData.HistoryMarket))).EnumerateArray().Last();

        var names = point.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string>(PointMetricNames, StringComparer.Ordinal), names);
        Assert.Superset(new HashSet<string>(["snapshot_id", "snapshot_at", "impedance", "impedanceNorm", "impedanceInputs"], StringComparer.Ordinal), names);
        Assert.All(PointMetricNames, name => Assert.Equal(JsonValueKind.Number, point.GetProperty(name).ValueKind));
        Assert.True(point.GetProperty("snapshot_id").GetInt64() > 0);
        foreach (var outcome in new[] { "home", "away", "draw" })
        {
            Assert.Equal(JsonValueKind.Number, point.GetProperty("impedance").GetProperty(outcome).ValueKind);
            Assert.Equal(JsonValueKind.Number, point.GetProperty("impedanceNorm").GetProperty(outcome).ValueKind);
            var inputs = point.GetProperty("impedanceInputs").GetProperty(outcome);
            Assert.Equal(
                ["backStake", "backOdds", "backProfit", "layStake", "layOdds", "layLiability"],
                inputs.EnumerateObject().Select(p => p.Name));
            var backStake = inputs.GetProperty("backStake").GetDouble();
            var backOdds = inputs.GetProperty("backOdds").GetDouble();
            var layStake = inputs.GetProperty("layStake").GetDouble();
            var layOdds = inputs.GetProperty("layOdds").GetDouble();
            Assert.Equal(backStake * (backOdds - 1), inputs.GetProperty("backProfit").GetDouble(), 9);
            Assert.Equal(layStake * (layOdds - 1), inputs.GetProperty("layLiability").GetDouble(), 9);
        }
    }

    [Fact]
    public async Task Timeseries_BackfilledHistory_HasL1SizesAndImpedanceInputs()
    {
        using var client = web.CreateClient();

        var oldest = (await client.GetJsonAsync(Path(SeedData.HistoryMarket, "?interval_minutes=1"))).EnumerateArray().First();

        Assert.True(oldest.GetProperty("snapshot_at").GetDateTimeOffset() < web.Seed.BackfilledBefore);
        Assert.NotNull(oldest.NumberOrNull("home_best_back_size_l1"));
        Assert.NotNull(oldest.NumberOrNull("draw_best_lay_size_l1"));
        Assert.NotNull(oldest.GetProperty("impedanceInputs").GetProperty("away").NumberOrNull("backStake"));
    }

    [Fact]
    public async Task Timeseries_LegacyNulls_StayNull()
    {
        using var client = web.CreateClient();

        var point = (await client.GetJsonAsync(Path(SeedData.LegacyMarket))).EnumerateArray().First();

        Assert.NotNull(point.NumberOrNull("home_best_back"));
        Assert.NotNull(point.NumberOrNull("home_risk"));
        Assert.Null(point.NumberOrNull("home_best_back_size_l1"));
        Assert.Null(point.NumberOrNull("away_best_lay_size_l1"));
        var inputs = point.GetProperty("impedanceInputs").GetProperty("home");
        foreach (var name in new[] { "backStake", "backOdds", "backProfit", "layStake", "layOdds", "layLiability" })
        {
            Assert.Null(inputs.NumberOrNull(name));
        }

        Assert.NotNull(point.GetProperty("impedance").NumberOrNull("home"));
    }

    [Fact]
    public async Task Timeseries_ImpedanceNotAsked_LeavesTheObjectsOut()
    {
        using var client = web.CreateClient();

        var point = (await client.GetJsonAsync(Path(SeedData.HistoryMarket, "?include_impedance=false&include_impedance_inputs=false"))).EnumerateArray().First();

        Assert.False(point.TryGetProperty("impedance", out _));
        Assert.False(point.TryGetProperty("impedanceNorm", out _));
        Assert.False(point.TryGetProperty("impedanceInputs", out _));
        Assert.True(point.TryGetProperty("home_best_back", out _));
    }

    [Fact]
    public async Task Timeseries_EmptyWindowOfKnownMarket_IsAnEmptyArray()
    {
        using var client = web.CreateClient();

        var points = await client.GetJsonAsync(Path(SeedData.HistoryMarket, "?from=2000-01-01&to=2000-01-02"));

        Assert.Equal(0, points.GetArrayLength());
    }

    [Fact]
    public async Task Timeseries_UnknownMarket_IsNotFoundProblem()
    {
        using var client = web.CreateClient();

        var problem = await client.GetJsonAsync(Path("1.nope"), HttpStatusCode.NotFound);

        Assert.Equal(404, problem.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("?interval_minutes=0", "interval_minutes")]
    [InlineData("?interval_minutes=-5", "interval_minutes")]
    [InlineData("?interval_minutes=1441", "interval_minutes")]
    [InlineData("?interval_minutes=1.5", "interval_minutes")]
    [InlineData("?include_impedance=nope", "include_impedance")]
    [InlineData("?include_impedance_inputs=2", "include_impedance_inputs")]
    [InlineData("?from=2026-02-30", "from")]
    [InlineData("?to=tomorrow", "to")]
    [InlineData("?from=2026-02-10T00:00:00Z&to=2026-02-09T00:00:00Z", "from")]
    public async Task Timeseries_BadParameter_IsProblemNamingIt(string query, string parameter)
    {
        using var client = web.CreateClient();

        await client.ProblemAsync(Path(SeedData.HistoryMarket, query), parameter);
    }

    [Fact]
    public async Task Meta_KnownMarket_IsTheMetadataRowWithSnapshotExtent()
    {
        using var client = web.CreateClient();

        var meta = await client.GetJsonAsync($"/api/events/{SeedData.HistoryMarket}/meta");

        Assert.Equal(SeedData.HistoryMarket, meta.GetProperty("market_id").GetString());
        Assert.Equal("Arsenal v Chelsea", meta.GetProperty("event_name").GetString());
        Assert.Equal(SeedData.EplId, meta.GetProperty("competition_id").GetString());
        Assert.Equal(SeedData.EplId, meta.GetProperty("league").GetString());
        Assert.Equal(101, meta.GetProperty("home_selection_id").GetInt64());
        Assert.Equal(web.Seed.HistoryTimes.Count, meta.GetProperty("snapshot_count").GetInt64());
        Assert.Equal(web.Seed.HistoryTimes[0], meta.GetProperty("first_snapshot_at").GetDateTimeOffset());
        Assert.Equal(web.Seed.HistoryTimes[^1], meta.GetProperty("last_snapshot_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task LatestRaw_KnownMarket_IsTheNewestPayloadAsJson()
    {
        using var client = web.CreateClient();

        var raw = await client.GetJsonAsync($"/api/events/{SeedData.HistoryMarket}/latest_raw");

        Assert.Equal(web.Seed.HistoryTimes[^1], raw.GetProperty("snapshot_at").GetDateTimeOffset());
        Assert.Equal(SeedData.HistoryMarket, raw.GetProperty("raw_payload").GetProperty("marketId").GetString());
        Assert.Equal(3, raw.GetProperty("raw_payload").GetProperty("runners").GetArrayLength());
    }

    [Theory]
    [InlineData("meta")]
    [InlineData("latest_raw")]
    public async Task UnknownMarket_Always_IsNotFound(string route)
    {
        using var client = web.CreateClient();

        await client.GetJsonAsync($"/api/events/1.nope/{route}", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task SnapshotRaw_IdFromTimeseries_IsThatSnapshot()
    {
        using var client = web.CreateClient();
        var point = (await client.GetJsonAsync(Path(SeedData.HistoryMarket))).EnumerateArray().First();
        var id = point.GetProperty("snapshot_id").GetInt64();

        var raw = await client.GetJsonAsync($"/api/snapshots/{id}/raw");

        Assert.Equal(id, raw.GetProperty("snapshot_id").GetInt64());
        Assert.Equal(SeedData.HistoryMarket, raw.GetProperty("market_id").GetString());
        Assert.Equal(point.GetProperty("snapshot_at").GetDateTimeOffset(), raw.GetProperty("snapshot_at").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Object, raw.GetProperty("raw_payload").ValueKind);
    }

    [Fact]
    public async Task SnapshotRaw_UnknownId_IsNotFound()
    {
        using var client = web.CreateClient();

        await client.GetJsonAsync("/api/snapshots/999999999/raw", HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("99999999999999999999")]
    public async Task SnapshotRaw_BadId_IsProblemNamingIt(string id)
    {
        using var client = web.CreateClient();

        await client.ProblemAsync($"/api/snapshots/{id}/raw", "snapshot_id");
    }

    [Fact]
    public void MetricColumns_UsedByTheApi_AreTheStorageColumnNames()
    {
        Assert.All(PointMetricNames, name => Assert.True(MetricColumns.IndexOf(name) >= 0, name));
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;
using NetBet.Core.Metrics;

namespace NetBet.Web.Tests.Api;

/// <summary>
/// The JSON field names clients already use stay as they are (fields may be added, none renamed), and the
/// per-outcome values the API computes are Core's formulas over the stored columns it serves beside them.
/// </summary>
public sealed partial class MetricShapeTests(WebFixture web)
{
    private static readonly string[] Outcomes = ["home", "away", "draw"];

    // The names as of the first API version, typed out on purpose: this is the contract, not a projection of it.
    private static readonly string[] PointFields =
    [
        "snapshot_id", "snapshot_at", "inplay", "status", "has_metrics", "total_volume", "impedance", "impedanceNorm", "impedanceInputs",
        .. Outcomes.SelectMany(o => new[] { $"{o}_best_back", $"{o}_best_lay", $"{o}_best_back_size_l1", $"{o}_best_lay_size_l1", $"{o}_spread", $"{o}_risk", $"{o}_book_risk_l3" }),
    ];

    private static readonly string[] InputFields = ["backStake", "backOdds", "backProfit", "layStake", "layOdds", "layLiability"];

    private static readonly string[] LeagueEventFields =
    [
        "market_id", "market_name", "event_name", "home_runner_name", "away_runner_name", "draw_runner_name", "market_start_time",
        "inplay", "status", "latest_snapshot_at", "latest_metrics_at", "total_volume", "home", "away", "draw",
    ];

    private static readonly string[] LeagueOutcomeFields =
    [
        "best_back", "best_lay", "best_back_size_l1", "best_lay_size_l1", "back_stake", "back_odds", "lay_stake", "lay_odds",
        "impedance", "impedance_norm", "risk", "book_risk_l3",
    ];

    private static readonly string[] MetaFields =
    [
        "market_id", "market_name", "market_start_time", "sport_id", "sport_name", "event_id", "event_name", "event_open_date",
        "country_code", "competition_id", "competition_name", "timezone", "home_selection_id", "away_selection_id",
        "draw_selection_id", "home_runner_name", "away_runner_name", "draw_runner_name", "first_seen_at", "last_seen_at",
        "snapshot_count", "first_snapshot_at", "last_snapshot_at", "inplay", "status", "league",
    ];

    private static readonly string[] LeagueFields =
    [
        "league", "competition_id", "competition_name", "country_code", "event_count", "in_play_count", "first_start_time", "last_start_time",
    ];

    private static HashSet<string> Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    private static double? Number(JsonElement element, string property) =>
        element.GetProperty(property).ValueKind == JsonValueKind.Null ? null : element.GetProperty(property).GetDouble();

    private async Task<JsonElement> LastPointAsync(string marketId, string query = "")
    {
        using var client = web.CreateClient();
        return (await client.GetJsonAsync($"/api/events/{marketId}/timeseries{query}")).EnumerateArray().Last();
    }

    [Fact]
    public async Task TimeseriesPoint_Always_KeepsTheExistingFieldNames()
    {
        var point = await LastPointAsync(SeedData.HistoryMarket);

        Assert.Superset(new HashSet<string>(PointFields), Names(point));
        foreach (var outcome in Outcomes)
        {
            Assert.Equal(InputFields, point.GetProperty("impedanceInputs").GetProperty(outcome).EnumerateObject().Select(p => p.Name));
            Assert.Equal(Outcomes, point.GetProperty("impedance").EnumerateObject().Select(p => p.Name));
            Assert.Equal(Outcomes, point.GetProperty("impedanceNorm").EnumerateObject().Select(p => p.Name));
        }
    }

    [Fact]
    public async Task TimeseriesPoint_Always_HasEveryMetricColumnUnderItsStorageName()
    {
        var point = await LastPointAsync(SeedData.HistoryMarket);

        Assert.All(MetricColumns.Names, name => Assert.Equal(JsonValueKind.Number, point.GetProperty(name).ValueKind));
        Assert.Equal(point.GetProperty("impedance").GetProperty("away").GetDouble(), Number(point, "away_impedance"));
        Assert.Equal(point.GetProperty("impedanceInputs").GetProperty("draw").GetProperty("layOdds").GetDouble(), Number(point, "draw_lay_odds"));
    }

    [Fact]
    public async Task TimeseriesPoint_SizeImpedanceL1_IsCoresFormulaOverTheServedColumns()
    {
        var point = await LastPointAsync(SeedData.HistoryMarket);

        var values = MetricColumns.Names.Select(name => Number(point, name)).ToArray();
        var served = point.GetProperty("sizeImpedanceL1");
        Assert.Equal(Outcomes, served.EnumerateObject().Select(p => p.Name));
        foreach (var outcome in MetricColumns.Outcomes)
        {
            var expected = OutcomeFormulas.SizeImpedanceL1(values, outcome);
            Assert.NotNull(expected);
            Assert.Equal(expected.Value, served.GetProperty(MetricColumns.Prefix(outcome)).GetDouble(), 9);
        }

        // By hand for home: size × (odds − 1) of home's first back level minus the same for away and draw.
        double Term(string o) => Number(point, $"{o}_best_back_size_l1")!.Value * (Number(point, $"{o}_best_back")!.Value - 1);
        Assert.Equal(Term("home") - Term("away") - Term("draw"), served.GetProperty("home").GetDouble(), 9);
    }

    [Fact]
    public async Task TimeseriesPoint_LegacyRowWithoutL1Sizes_HasNullSizeImpedanceL1()
    {
        var point = await LastPointAsync(SeedData.LegacyMarket);

        Assert.All(Outcomes, o => Assert.Equal(JsonValueKind.Null, point.GetProperty("sizeImpedanceL1").GetProperty(o).ValueKind));
        Assert.NotNull(Number(point.GetProperty("impedance"), "home"));
    }

    [Fact]
    public async Task TimeseriesPoint_ImpedanceNotAsked_LeavesSizeImpedanceL1Out()
    {
        var point = await LastPointAsync(SeedData.HistoryMarket, "?include_impedance=false");

        Assert.False(point.TryGetProperty("sizeImpedanceL1", out _));
        Assert.True(point.TryGetProperty("impedanceInputs", out _));
    }

    [Fact]
    public async Task LeagueEvent_Always_KeepsTheExistingFieldNamesAndAddsTheFormulas()
    {
        using var client = web.CreateClient();

        var list = await client.GetJsonAsync($"/api/leagues/{SeedData.EplId}/events");

        var history = list.GetProperty("events").EnumerateArray().First(e => e.GetProperty("market_id").GetString() == SeedData.HistoryMarket);
        Assert.Superset(new HashSet<string>(LeagueEventFields), Names(history));
        foreach (var outcome in Outcomes)
        {
            var names = Names(history.GetProperty(outcome));
            Assert.Superset(new HashSet<string>(LeagueOutcomeFields), names);
            Assert.Superset(new HashSet<string>(["spread", "back_profit", "lay_liability", "size_impedance_l1"]), names);
        }
    }

    [Fact]
    public async Task LeagueEvent_LatestMetrics_AreTheSameShapeAndValuesAsTheLastTimeseriesPoint()
    {
        using var client = web.CreateClient();
        var list = await client.GetJsonAsync($"/api/leagues/{SeedData.EplId}/events");
        var history = list.GetProperty("events").EnumerateArray().First(e => e.GetProperty("market_id").GetString() == SeedData.HistoryMarket);

        var point = await LastPointAsync(SeedData.HistoryMarket, "?interval_minutes=1");

        Assert.Equal(point.GetProperty("snapshot_at").GetDateTimeOffset(), history.GetProperty("latest_metrics_at").GetDateTimeOffset());
        Assert.Equal(Number(point, "total_volume"), Number(history, "total_volume"));
        foreach (var outcome in MetricColumns.Outcomes)
        {
            var prefix = MetricColumns.Prefix(outcome);
            var latest = history.GetProperty(prefix);
            foreach (var metric in MetricColumns.Metrics)
            {
                Assert.Equal(Number(point, MetricColumns.Name(outcome, metric)), Number(latest, MetricColumns.Suffix(metric)));
            }

            Assert.Equal(point.GetProperty("sizeImpedanceL1").GetProperty(prefix).GetDouble(), Number(latest, "size_impedance_l1"));
            Assert.Equal(point.GetProperty("impedanceInputs").GetProperty(prefix).GetProperty("backProfit").GetDouble(), Number(latest, "back_profit"));
            Assert.Equal(point.GetProperty("impedanceInputs").GetProperty(prefix).GetProperty("layLiability").GetDouble(), Number(latest, "lay_liability"));
        }
    }

    [Fact]
    public async Task MetaAndLeagueList_Always_KeepTheExistingFieldNames()
    {
        using var client = web.CreateClient();

        var meta = await client.GetJsonAsync($"/api/events/{SeedData.HistoryMarket}/meta");
        var leagues = await client.GetJsonAsync("/api/leagues");

        Assert.Superset(new HashSet<string>(MetaFields), Names(meta));
        Assert.Superset(new HashSet<string>(["from", "to", "total", "limit", "offset", "leagues"]), Names(leagues));
        Assert.All(leagues.GetProperty("leagues").EnumerateArray(), l => Assert.Superset(new HashSet<string>(LeagueFields), Names(l)));
    }

    [GeneratedRegex(@"\{ key: '(?<key>[a-z0-9_]+)'")]
    private static partial Regex ColumnKey();

    [Fact]
    public async Task UiColumnTable_EveryKey_IsAServedOutcomeField()
    {
        using var client = web.CreateClient();
        var script = await client.GetStringAsync(new Uri("/js/columns.js", UriKind.Relative), TestContext.Current.CancellationToken);
        var list = await client.GetJsonAsync($"/api/leagues/{SeedData.EplId}/events");
        var served = Names(list.GetProperty("events")[0].GetProperty("home"));

        var keys = ColumnKey().Matches(script).Select(m => m.Groups["key"].Value).ToArray();

        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.Contains(key, served));
        Assert.Contains("size_impedance_l1", keys);
    }
}

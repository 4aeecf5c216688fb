using System.Net;
using System.Text.Json;

namespace NetBet.Web.Tests.Api;

/// <summary><c>/api/snapshots/{snapshot_id}/ladder</c>: the raw payload's depth per runner, best prices marked.</summary>
public sealed class LadderApiTests(WebFixture web)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ladder_StoredSnapshot_ListsThePayloadsLevelsPerRunner()
    {
        using var client = web.CreateClient();
        var points = (await client.GetJsonAsync($"/api/events/{SeedData.HistoryMarket}/timeseries?interval_minutes=1")).EnumerateArray().ToList();
        var id = points[5].GetProperty("snapshot_id").GetInt64();
        var raw = (await client.GetJsonAsync($"/api/snapshots/{id}/raw")).GetProperty("raw_payload");

        var ladder = await client.GetJsonAsync($"/api/snapshots/{id}/ladder");

        Assert.Equal(id, ladder.GetProperty("snapshot_id").GetInt64());
        Assert.Equal(points[4].GetProperty("snapshot_id").GetInt64(), ladder.GetProperty("previous_snapshot_id").GetInt64());
        Assert.Equal(points[6].GetProperty("snapshot_id").GetInt64(), ladder.GetProperty("next_snapshot_id").GetInt64());
        var runners = ladder.GetProperty("runners").EnumerateArray().ToList();
        Assert.Equal(["home", "away", "draw"], runners.Select(r => r.GetProperty("role").GetString()));
        Assert.Equal(["Arsenal", "Chelsea", "The Draw"], runners.Select(r => r.GetProperty("name").GetString()));
        foreach (var payloadRunner in raw.GetProperty("runners").EnumerateArray())
        {
            var runner = runners.Single(r => r.GetProperty("selection_id").GetInt64() == payloadRunner.GetProperty("selectionId").GetInt64());
            var prices = runner.GetProperty("prices").EnumerateArray().ToList();
            Assert.Equal(prices.Select(p => p.GetProperty("price").GetDouble()).OrderDescending(), prices.Select(p => p.GetProperty("price").GetDouble()));
            AssertSide(payloadRunner.GetProperty("ex").GetProperty("availableToBack"), prices, "back_size", runner.GetProperty("best_back").GetDouble(), "is_best_back");
            AssertSide(payloadRunner.GetProperty("ex").GetProperty("availableToLay"), prices, "lay_size", runner.GetProperty("best_lay").GetDouble(), "is_best_lay");
            Assert.All(prices, p => Assert.Equal(JsonValueKind.Null, p.GetProperty("traded_volume").ValueKind));
        }
    }

    [Fact]
    public async Task Ladder_FirstSnapshot_HasNoPrevious()
    {
        using var client = web.CreateClient();
        var first = (await client.GetJsonAsync($"/api/events/{SeedData.HistoryMarket}/timeseries?interval_minutes=1"))[0].GetProperty("snapshot_id").GetInt64();

        var ladder = await client.GetJsonAsync($"/api/snapshots/{first}/ladder");

        Assert.Equal(JsonValueKind.Null, ladder.GetProperty("previous_snapshot_id").ValueKind);
    }

    [Fact]
    public async Task Ladder_UnknownSnapshot_NotFound()
    {
        using var client = web.CreateClient();
        using var response = await client.GetAsync(new Uri("/api/snapshots/999999999/ladder", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Ladder_NotAnId_ProblemNamingIt()
    {
        using var client = web.CreateClient();
        await client.ProblemAsync("/api/snapshots/abc/ladder", "snapshot_id");
    }

    private static void AssertSide(JsonElement levels, List<JsonElement> prices, string sizeKey, double best, string bestKey)
    {
        var listed = levels.EnumerateArray().ToList();
        Assert.Equal(listed[0].GetProperty("price").GetDouble(), best);
        foreach (var level in listed)
        {
            var row = prices.Single(p => p.GetProperty("price").GetDouble() == level.GetProperty("price").GetDouble());
            Assert.Equal(level.GetProperty("size").GetDouble(), row.GetProperty(sizeKey).GetDouble());
        }

        Assert.Equal(listed.Count, prices.Count(p => p.GetProperty(sizeKey).ValueKind != JsonValueKind.Null));
        Assert.Equal([best], prices.Where(p => p.GetProperty(bestKey).GetBoolean()).Select(p => p.GetProperty("price").GetDouble()));
    }
}

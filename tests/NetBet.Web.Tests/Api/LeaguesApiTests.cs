using System.Text.Json;

namespace NetBet.Web.Tests.Api;

public sealed class LeaguesApiTests(WebFixture web)
{
    private static Dictionary<string, JsonElement> ByKey(JsonElement list) =>
        list.GetProperty("leagues").EnumerateArray().ToDictionary(l => l.GetProperty("league").GetString()!);

    [Fact]
    public async Task ListLeagues_DefaultWindow_GroupsMarketsByCompetition()
    {
        using var client = web.CreateClient();

        var list = await client.GetJsonAsync("/api/leagues");

        Assert.Equal(web.Seed.Today.AddDays(-1), list.GetProperty("from").GetDateTimeOffset());
        Assert.Equal(web.Seed.Today.AddDays(7), list.GetProperty("to").GetDateTimeOffset());
        var leagues = ByKey(list);
        Assert.Equal([SeedData.EplId, SeedData.LaLigaId, SeedData.FriendlySlug, "unknown"], leagues.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(4, list.GetProperty("total").GetInt64());
        var epl = leagues[SeedData.EplId];
        Assert.Equal("English Premier League", epl.GetProperty("competition_name").GetString());
        Assert.Equal(2, epl.GetProperty("event_count").GetInt64());
        Assert.Equal(0, epl.GetProperty("in_play_count").GetInt64());
        Assert.Equal(1, leagues[SeedData.LaLigaId].GetProperty("in_play_count").GetInt64());
        Assert.Equal("Unknown competition", leagues["unknown"].GetProperty("competition_name").GetString());
        Assert.Equal(JsonValueKind.Null, leagues["unknown"].GetProperty("competition_id").ValueKind);
    }

    [Fact]
    public async Task ListLeagues_ExcludingInPlay_DropsLeaguesWhoseOnlyMarketIsInPlay()
    {
        using var client = web.CreateClient();

        var leagues = ByKey(await client.GetJsonAsync("/api/leagues?include_in_play=false"));

        Assert.DoesNotContain(SeedData.LaLigaId, leagues.Keys);
        Assert.Contains(SeedData.EplId, leagues.Keys);
    }

    [Theory]
    [InlineData("premier", SeedData.EplId)]
    [InlineData("50%", SeedData.FriendlySlug)]
    [InlineData("cup_", SeedData.FriendlySlug)]
    [InlineData("UNKNOWN", "unknown")]
    public async Task ListLeagues_Query_MatchesNamesAsPlainText(string q, string expected)
    {
        using var client = web.CreateClient();

        var leagues = ByKey(await client.GetJsonAsync($"/api/leagues?q={Uri.EscapeDataString(q)}"));

        Assert.Equal([expected], leagues.Keys);
    }

    [Fact]
    public async Task ListLeagues_WildcardCharacters_AreNotWildcards()
    {
        using var client = web.CreateClient();

        var list = await client.GetJsonAsync("/api/leagues?q=%25_%25");

        Assert.Equal(0, list.GetProperty("leagues").GetArrayLength());
    }

    [Fact]
    public async Task ListLeagues_WindowInThePast_FindsOnlyTheOldMarket()
    {
        using var client = web.CreateClient();
        var day = web.Seed.Today.AddDays(-30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var leagues = ByKey(await client.GetJsonAsync($"/api/leagues?from={day}&to={day}"));

        Assert.Equal(["999"], leagues.Keys);
    }

    [Fact]
    public async Task ListLeagues_LimitAndOffset_PageThroughTheSameTotal()
    {
        using var client = web.CreateClient();

        var first = await client.GetJsonAsync("/api/leagues?limit=3");
        var second = await client.GetJsonAsync("/api/leagues?limit=3&offset=3");
        var beyond = await client.GetJsonAsync("/api/leagues?limit=3&offset=10");

        Assert.Equal(3, first.GetProperty("leagues").GetArrayLength());
        Assert.Equal(1, second.GetProperty("leagues").GetArrayLength());
        Assert.Equal(0, beyond.GetProperty("leagues").GetArrayLength());
        Assert.All(new[] { first, second, beyond }, page => Assert.Equal(4, page.GetProperty("total").GetInt64()));
    }

    [Theory]
    [InlineData("/api/leagues?from=yesterday", "from")]
    [InlineData("/api/leagues?to=2026-13-01", "to")]
    [InlineData("/api/leagues?from=2026-02-10&to=2026-02-01", "from")]
    [InlineData("/api/leagues?limit=0", "limit")]
    [InlineData("/api/leagues?limit=501", "limit")]
    [InlineData("/api/leagues?limit=ten", "limit")]
    [InlineData("/api/leagues?offset=-1", "offset")]
    [InlineData("/api/leagues?include_in_play=maybe", "include_in_play")]
    [InlineData("/api/leagues/117/events?include_in_play=2", "include_in_play")]
    [InlineData("/api/leagues/117/events?limit=9999999999", "limit")]
    public async Task BadParameter_Always_IsProblemNamingIt(string path, string parameter)
    {
        using var client = web.CreateClient();

        await client.ProblemAsync(path, parameter);
    }

    [Fact]
    public async Task BadParameters_Several_AreAllNamed()
    {
        using var client = web.CreateClient();

        await client.ProblemAsync("/api/leagues?from=x&limit=0&offset=-5&include_in_play=perhaps", "from", "limit", "offset", "include_in_play");
    }

    [Fact]
    public async Task ListEvents_Epl_ListsMarketsWithLatestMetrics()
    {
        using var client = web.CreateClient();

        var list = await client.GetJsonAsync($"/api/leagues/{SeedData.EplId}/events");

        Assert.Equal(SeedData.EplId, list.GetProperty("league").GetString());
        Assert.Equal("English Premier League", list.GetProperty("competition_name").GetString());
        var events = list.GetProperty("events").EnumerateArray().ToArray();
        Assert.Equal([SeedData.HistoryMarket, SeedData.UpcomingMarket], events.Select(e => e.GetProperty("market_id").GetString()));
        var history = events[0];
        Assert.Equal("Arsenal v Chelsea", history.GetProperty("event_name").GetString());
        Assert.Equal("Arsenal", history.GetProperty("home_runner_name").GetString());
        Assert.Equal("Chelsea", history.GetProperty("away_runner_name").GetString());
        Assert.Equal("The Draw", history.GetProperty("draw_runner_name").GetString());
        Assert.Equal(web.Seed.Today.AddHours(20), history.GetProperty("market_start_time").GetDateTimeOffset());
        Assert.False(history.GetProperty("inplay").GetBoolean());
        Assert.Equal("OPEN", history.GetProperty("status").GetString());
        Assert.Equal(web.Seed.HistoryTimes[^1], history.GetProperty("latest_metrics_at").GetDateTimeOffset());
        foreach (var outcome in new[] { "home", "away", "draw" })
        {
            var metrics = history.GetProperty(outcome);
            foreach (var name in new[] { "best_back", "best_lay", "best_back_size_l1", "best_lay_size_l1", "back_stake", "lay_stake", "impedance", "risk" })
            {
                Assert.NotNull(metrics.NumberOrNull(name));
            }
        }
    }

    [Fact]
    public async Task ListEvents_LegacyMarket_KeepsNullMetricsNull()
    {
        using var client = web.CreateClient();

        var list = await client.GetJsonAsync($"/api/leagues/{SeedData.LaLigaId}/events");

        var legacy = Assert.Single(list.GetProperty("events").EnumerateArray());
        Assert.True(legacy.GetProperty("inplay").GetBoolean());
        var home = legacy.GetProperty("home");
        Assert.NotNull(home.NumberOrNull("best_back"));
        Assert.Null(home.NumberOrNull("best_back_size_l1"));
        Assert.Null(home.NumberOrNull("back_stake"));
    }

    [Fact]
    public async Task ListEvents_UnknownCompetitionAndSlug_AreAddressable()
    {
        using var client = web.CreateClient();

        var unknown = await client.GetJsonAsync("/api/leagues/unknown/events");
        var friendly = await client.GetJsonAsync($"/api/leagues/{SeedData.FriendlySlug}/events");

        Assert.Equal(SeedData.UnknownMarket, Assert.Single(unknown.GetProperty("events").EnumerateArray()).GetProperty("market_id").GetString());
        Assert.Equal(SeedData.FriendlyMarket, Assert.Single(friendly.GetProperty("events").EnumerateArray()).GetProperty("market_id").GetString());
        Assert.Equal("Friendly 50% Cup_", friendly.GetProperty("competition_name").GetString());
    }

    [Fact]
    public async Task ListEvents_ExcludingInPlay_LeavesInPlayMarketsOut()
    {
        using var client = web.CreateClient();

        var list = await client.GetJsonAsync($"/api/leagues/{SeedData.LaLigaId}/events?include_in_play=false");

        Assert.Equal(0, list.GetProperty("events").GetArrayLength());
        Assert.Equal(0, list.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task ListEvents_UnknownLeague_IsNotFound()
    {
        using var client = web.CreateClient();

        await client.GetJsonAsync("/api/leagues/no-such-league/events", System.Net.HttpStatusCode.NotFound);
    }
}

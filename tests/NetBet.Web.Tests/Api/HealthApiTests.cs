using System.Net;

namespace NetBet.Web.Tests.Api;

public sealed class HealthApiTests(WebFixture web)
{
    [Fact]
    public async Task Health_DatabaseUp_ReportsNewestSnapshotAndLastPollTick()
    {
        using var client = web.CreateClient();

        var health = await client.GetJsonAsync("/api/health");

        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal("ok", health.GetProperty("database").GetString());
        var newest = health.GetProperty("newest_snapshot_at").GetDateTimeOffset();
        Assert.Equal(web.Seed.HistoryTimes[^1], newest);
        Assert.Equal(web.Seed.PollTickAt, health.GetProperty("last_poll_tick_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task OpenApi_Always_ServesDocumentListingTheRoutes()
    {
        using var client = web.CreateClient();

        var document = await client.GetJsonAsync("/openapi/v1.json");

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Contains("/api/health", paths);
        Assert.Contains("/api/leagues", paths);
        Assert.Contains("/api/leagues/{league}/events", paths);
        Assert.Contains("/api/events/{market_id}/timeseries", paths);
        Assert.Contains("/api/events/{market_id}/meta", paths);
        Assert.Contains("/api/events/{market_id}/latest_raw", paths);
        Assert.Contains("/api/snapshots/{snapshot_id}/raw", paths);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/leagues/10932509")]
    [InlineData("/events/1.900000001")]
    public async Task UiRoute_DeepLink_ServesTheSinglePage(string path)
    {
        using var client = web.CreateClient();

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/js/app.js", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownApiPath_Always_IsNotFoundNotThePage()
    {
        using var client = web.CreateClient();

        using var response = await client.GetAsync(new Uri("/api/nothing-here", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

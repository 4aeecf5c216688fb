using System.Net;

namespace NetBet.Web.Tests.Api;

/// <summary>No parameter causes a 500: malformed or out-of-range values are 400s naming them; extreme valid ones answer normally.</summary>
public sealed class BadInputTests(WebFixture web)
{
    private const string Timeseries = $"/api/events/{SeedData.HistoryMarket}/timeseries";

    [Theory]
    [InlineData("/api/leagues?to=9999-12-31", "to")]
    [InlineData("/api/leagues?to=0001-01-01", "to")]
    [InlineData("/api/leagues?from=9999-12-30", "from")]
    [InlineData("/api/leagues?from=0001-01-01T00:00:00Z", "from")]
    [InlineData("/api/leagues?from=0001-01-01T00:00:00%2B01:00", "from")]
    [InlineData("/api/leagues?from=1899-12-31", "from")]
    [InlineData("/api/leagues?to=3000-01-01", "to")]
    [InlineData("/api/leagues?q=%00", "q")]
    [InlineData("/api/leagues?q=a%00b", "q")]
    [InlineData("/api/leagues?q=%1B%5B31m", "q")]
    [InlineData("/api/leagues?limit=99999999999999999999", "limit")]
    [InlineData("/api/leagues?limit=2147483648", "limit")]
    [InlineData("/api/leagues?offset=99999999999999999999", "offset")]
    [InlineData("/api/leagues?offset=-1", "offset")]
    [InlineData($"/api/leagues/{SeedData.EplId}/events?to=9999-12-31", "to")]
    [InlineData($"/api/leagues/{SeedData.EplId}/events?from=0001-01-01", "from")]
    [InlineData($"/api/leagues/{SeedData.EplId}/events?offset=99999999999999999999", "offset")]
    [InlineData(Timeseries + "?to=9999-12-31T23:59:59.9999999Z", "to")]
    [InlineData(Timeseries + "?from=0001-01-01T00:00:00Z", "from")]
    [InlineData(Timeseries + "?interval_minutes=99999999999999999999", "interval_minutes")]
    [InlineData(Timeseries + "?interval_minutes=-2147483649", "interval_minutes")]
    [InlineData(Timeseries + "?include_impedance=%00", "include_impedance")]
    [InlineData("/api/snapshots/9223372036854775808/raw", "snapshot_id")]
    public async Task Parameter_MalformedOrOutOfRange_Is400NamingIt(string path, string parameter)
    {
        using var client = web.CreateClient();

        await client.ProblemAsync(path, parameter);
    }

    [Fact]
    public async Task Query_LongerThanTheLimit_Is400NamingIt()
    {
        using var client = web.CreateClient();

        await client.ProblemAsync("/api/leagues?q=" + new string('a', 201), "q");
    }

    [Theory]
    [InlineData("/api/leagues/%00/events", "league")]
    [InlineData("/api/events/1.9%00/meta", "market_id")]
    [InlineData("/api/events/%00/timeseries", "market_id")]
    [InlineData("/api/events/%00/latest_raw", "market_id")]
    public async Task RouteValue_WithNul_Is400(string path, string parameter)
    {
        using var client = web.CreateClient();
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);

        // Kestrel itself may refuse a NUL in the path before routing; if it lets it through, the filter names it.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            await client.ProblemAsync(path, parameter);
        }
    }

    [Theory]
    [InlineData("/api/leagues?from=1900-01-01&to=2999-12-31")]
    [InlineData("/api/leagues?to=1900-01-01")]
    [InlineData("/api/leagues?from=2999-12-31")]
    [InlineData("/api/leagues?offset=2147483647")]
    [InlineData("/api/leagues?limit=500")]
    [InlineData($"/api/leagues/{SeedData.EplId}/events?offset=2147483647&from=1900-01-01&to=2999-12-31")]
    [InlineData(Timeseries + "?from=1900-01-01&to=2999-12-31T23:59:59.9999999Z&interval_minutes=1")]
    [InlineData("/api/snapshots/9223372036854775807/raw")]
    public async Task Parameter_ExtremeButValid_AnswersNormally(string path)
    {
        using var client = web.CreateClient();
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.True(
            response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound,
            $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
    }
}

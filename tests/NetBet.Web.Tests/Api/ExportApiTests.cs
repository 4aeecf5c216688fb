using System.Globalization;
using System.Net;

namespace NetBet.Web.Tests.Api;

/// <summary><c>/api/events/{market_id}/timeseries.csv</c>: the JSON route's points as an RFC 4180 download.</summary>
public sealed class ExportApiTests(WebFixture web)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TimeseriesCsv_SameParameters_SamePointsAsTheJsonRoute()
    {
        using var client = web.CreateClient();
        var json = await client.GetJsonAsync($"/api/events/{SeedData.HistoryMarket}/timeseries?interval_minutes=7");

        using var response = await client.GetAsync(new Uri($"/api/events/{SeedData.HistoryMarket}/timeseries.csv?interval_minutes=7", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"{SeedData.HistoryMarket}-timeseries-7m.csv", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var lines = (await response.Content.ReadAsStringAsync(Ct)).Split("\r\n");
        Assert.Equal("", lines[^1]);
        var header = lines[0].Split(',');
        Assert.Equal(["snapshot_id", "snapshot_at", "inplay", "status", "has_metrics", "home_risk"], header[..6]);
        Assert.Contains("home_impedance", header);
        Assert.Contains("home_back_stake", header);
        Assert.Equal("draw_size_impedance_l1", header[^1]);
        var records = lines[1..^1].Select(l => l.Split(',')).ToList();
        var points = json.EnumerateArray().ToList();
        Assert.Equal(points.Count, records.Count);
        var bestBack = Array.IndexOf(header, "home_best_back");
        foreach (var (point, record) in points.Zip(records))
        {
            Assert.Equal(point.GetProperty("snapshot_id").GetInt64().ToString(CultureInfo.InvariantCulture), record[0]);
            Assert.Equal(point.GetProperty("snapshot_at").GetDateTimeOffset(), DateTimeOffset.Parse(record[1], CultureInfo.InvariantCulture));
            Assert.Equal(point.NumberOrNull("home_best_back"), record[bestBack] == "" ? null : double.Parse(record[bestBack], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task TimeseriesCsv_WithoutImpedance_LeavesThoseColumnsOut()
    {
        using var client = web.CreateClient();

        var csv = await client.GetStringAsync(new Uri($"/api/events/{SeedData.LegacyMarket}/timeseries.csv?include_impedance=false&include_impedance_inputs=false", UriKind.Relative), Ct);

        var header = csv.Split("\r\n")[0].Split(',');
        Assert.DoesNotContain("home_impedance", header);
        Assert.DoesNotContain("away_lay_odds", header);
        Assert.Contains("total_volume", header);
        // The legacy market's newer columns are NULL: empty fields, never 0.
        var sizeL1 = Array.IndexOf(header, "home_best_back_size_l1");
        Assert.All(csv.Split("\r\n")[1..^1], line => Assert.Equal("", line.Split(',')[sizeL1]));
    }

    [Fact]
    public async Task TimeseriesCsv_BadParameters_ProblemNamingThem()
    {
        using var client = web.CreateClient();
        await client.ProblemAsync($"/api/events/{SeedData.HistoryMarket}/timeseries.csv?interval_minutes=0&from=soon", "interval_minutes", "from");
    }

    [Fact]
    public async Task TimeseriesCsv_UnknownMarket_NotFound()
    {
        using var client = web.CreateClient();
        using var response = await client.GetAsync(new Uri("/api/events/1.404/timeseries.csv", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

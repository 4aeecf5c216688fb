using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using NetBet.Web.Tests.Api;

namespace NetBet.Web.Tests.Ui;

/// <summary>
/// The event page's ladder panel and charts in headless Chromium: the ladder shows the chosen snapshot's raw
/// payload, travels with next/previous, arrow keys and the slider; a chart hover reads one snapshot's stored values;
/// a suspended market's latest panel shows its last open book. Screenshots go to artifacts/screenshots.
/// </summary>
public sealed class LadderChartUiTests(WebFixture web, BrowserFixture browser)
{
    private static readonly string[] Roles = ["home", "away", "draw"];
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<IPage> NewPageAsync() => browser.NewPageAsync(web.BaseAddress, height: 1000);

    private Task ScreenshotAsync(IPage page, string name) => browser.ScreenshotAsync(page, name);

    [Fact]
    public async Task Ladder_ChosenSnapshot_ShowsItsPayloadAndTravels()
    {
        var page = await NewPageAsync();
        await using var _ = page.Context;
        using var client = web.CreateClient();
        await page.GotoAsync($"/events/{SeedData.HistoryMarket}?interval=5");
        var row = page.GetByTestId("timeseries").Locator("tbody tr").Nth(3);
        var chosen = long.Parse((await row.GetAttributeAsync("data-snapshot-id"))!, CultureInfo.InvariantCulture);

        await row.ClickAsync();

        var ladder = page.GetByTestId("ladder");
        await Assertions.Expect(ladder).ToHaveAttributeAsync("data-snapshot-id", chosen.ToString(CultureInfo.InvariantCulture));
        await AssertShowsPayloadAsync(page, client, chosen);
        await Assertions.Expect(page.GetByTestId("raw-snapshot")).ToContainTextAsync("availableToBack");
        await ScreenshotAsync(page, "event-ladder");

        var next = (await client.GetJsonAsync($"/api/snapshots/{chosen}/ladder")).GetProperty("next_snapshot_id").GetInt64();
        await page.GetByTestId("ladder-next").ClickAsync();
        await Assertions.Expect(ladder).ToHaveAttributeAsync("data-snapshot-id", next.ToString(CultureInfo.InvariantCulture));
        await AssertShowsPayloadAsync(page, client, next);

        await ladder.FocusAsync();
        await page.Keyboard.PressAsync("ArrowLeft");
        await Assertions.Expect(ladder).ToHaveAttributeAsync("data-snapshot-id", chosen.ToString(CultureInfo.InvariantCulture));

        // The slider's first position is the oldest timeseries point.
        var points = await client.GetJsonAsync($"/api/events/{SeedData.HistoryMarket}/timeseries?interval_minutes=5");
        await page.GetByTestId("ladder-slider").FillAsync("0");
        await Assertions.Expect(ladder).ToHaveAttributeAsync("data-snapshot-id", points[0].GetProperty("snapshot_id").GetInt64().ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task DownloadCsv_CarriesTheChosenInterval()
    {
        var page = await NewPageAsync();
        await using var _ = page.Context;

        await page.GotoAsync($"/events/{SeedData.HistoryMarket}?interval=30");

        var href = await page.GetByTestId("download-csv").GetAttributeAsync("href");
        Assert.StartsWith($"/api/events/{SeedData.HistoryMarket}/timeseries.csv?", href, StringComparison.Ordinal);
        Assert.Contains("interval_minutes=30", href, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PriceChart_Hover_ShowsTheStoredValuesOfThatSnapshot()
    {
        var page = await NewPageAsync();
        await using var _ = page.Context;
        using var client = web.CreateClient();
        await page.GotoAsync($"/events/{SeedData.HistoryMarket}?interval=60");
        var chart = page.GetByTestId("chart-prices");
        var overlay = chart.Locator(".u-over");
        await overlay.WaitForAsync();
        var box = (await overlay.BoundingBoxAsync())!;

        await page.Mouse.MoveAsync(box.X + (box.Width * 0.4f), box.Y + (box.Height / 2));

        var readout = page.GetByTestId("chart-prices-readout");
        await Assertions.Expect(readout).ToHaveAttributeAsync("data-snapshot-id", new System.Text.RegularExpressions.Regex("^[0-9]+$"));
        var id = long.Parse((await readout.GetAttributeAsync("data-snapshot-id"))!, CultureInfo.InvariantCulture);
        var points = await client.GetJsonAsync($"/api/events/{SeedData.HistoryMarket}/timeseries?interval_minutes=60");
        var point = points.EnumerateArray().Single(p => p.GetProperty("snapshot_id").GetInt64() == id);
        foreach (var outcome in Roles)
        {
            var expected = point.GetProperty($"{outcome}_best_back").GetDouble().ToString("F2", CultureInfo.InvariantCulture);
            await Assertions.Expect(readout.Locator($"[data-col={outcome}] strong")).ToHaveTextAsync(expected);
        }

        // The same time's implied probabilities are read off the synchronised chart below.
        await Assertions.Expect(page.GetByTestId("chart-probability-readout")).ToHaveAttributeAsync("data-snapshot-id", id.ToString(CultureInfo.InvariantCulture));
        await ScreenshotAsync(page, "event-chart-hover");
    }

    [Fact]
    public async Task SuspendedMarket_LatestPanel_ShowsTheLastOpenPricesWithTheirTime()
    {
        await SuspendedMarket.EnsureAsync(web, Ct);
        var page = await NewPageAsync();
        await using var _ = page.Context;

        await page.GotoAsync($"/events/{SuspendedMarket.MarketId}?interval=1");

        var latest = page.GetByTestId("latest");
        await Assertions.Expect(latest).ToContainTextAsync("SUSPENDED");
        var lastOpen = latest.GetByTestId("last-open");
        await Assertions.Expect(lastOpen).ToContainTextAsync(SuspendedMarket.Times[3].UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        await Assertions.Expect(lastOpen.Locator("[data-col=home_best_back]")).ToHaveTextAsync(SuspendedMarket.LastOpenBack.Home.ToString("F2", CultureInfo.InvariantCulture));
        await Assertions.Expect(lastOpen.Locator("[data-col=away_best_back]")).ToHaveTextAsync(SuspendedMarket.LastOpenBack.Away.ToString("F2", CultureInfo.InvariantCulture));
        await Assertions.Expect(lastOpen.Locator("[data-col=draw_best_back]")).ToHaveTextAsync(SuspendedMarket.LastOpenBack.Draw.ToString("F2", CultureInfo.InvariantCulture));
        await Assertions.Expect(page.GetByTestId("chart-prices")).ToHaveAttributeAsync("data-suspended-spans", "1");
        await Assertions.Expect(page.GetByTestId("chart-prices")).ToHaveAttributeAsync("data-inplay-at", SuspendedMarket.Times[3].UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        await ScreenshotAsync(page, "event-suspended");

        // The suspended book's ladder: no price on either side, never 0.
        await page.GetByTestId("timeseries").Locator("tbody tr").First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("ladder-home").Locator("[data-col=best_back]")).ToHaveTextAsync("no price");
    }

    private static async Task AssertShowsPayloadAsync(IPage page, HttpClient client, long snapshotId)
    {
        var raw = (await client.GetJsonAsync($"/api/snapshots/{snapshotId}/raw")).GetProperty("raw_payload");
        var runners = raw.GetProperty("runners").EnumerateArray().ToList();
        foreach (var (role, runner) in Roles.Zip(runners))
        {
            var ladder = page.GetByTestId($"ladder-{role}");
            await AssertSideAsync(ladder, runner.GetProperty("ex").GetProperty("availableToBack"), "back_size");
            await AssertSideAsync(ladder, runner.GetProperty("ex").GetProperty("availableToLay"), "lay_size");
            var best = runner.GetProperty("ex").GetProperty("availableToBack")[0].GetProperty("price").GetDouble();
            await Assertions.Expect(ladder.Locator("td.back.best")).ToHaveCountAsync(1);
            await Assertions.Expect(ladder.Locator($"tr[data-price=\"{best.ToString(CultureInfo.InvariantCulture)}\"] td.back")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("\\bbest\\b"));
        }
    }

    private static async Task AssertSideAsync(ILocator ladder, JsonElement levels, string column)
    {
        foreach (var level in levels.EnumerateArray())
        {
            var price = level.GetProperty("price").GetDouble().ToString(CultureInfo.InvariantCulture);
            // The UI's amounts: en-GB grouping, two decimals (the invariant culture writes the same).
            var size = level.GetProperty("size").GetDouble().ToString("#,##0.00", CultureInfo.InvariantCulture);
            await Assertions.Expect(ladder.Locator($"tr[data-price=\"{price}\"] td[data-col={column}]")).ToHaveTextAsync(size);
        }
    }
}

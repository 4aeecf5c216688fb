using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace NetBet.Web.Tests.Ui;

/// <summary>The UI in headless Chromium against the app on a real loopback port; screenshots go to artifacts/screenshots.</summary>
public sealed partial class UiTests(WebFixture web, BrowserFixture browser)
{
    private const string Dash = "—";

    [GeneratedRegex(@"^-?\d{1,3}(,\d{3})*\.\d{2}$")]
    private static partial Regex AmountPattern();

    [GeneratedRegex(@"^\d+\.\d{2}$")]
    private static partial Regex PricePattern();

    private Task<IPage> NewPageAsync() => browser.NewPageAsync(web.BaseAddress);

    private Task ScreenshotAsync(IPage page, string name) => browser.ScreenshotAsync(page, name);

    [Fact]
    public async Task LeaguesToEvent_BackfilledHistory_ShowsNumbersAndRawSnapshot()
    {
        var page = await NewPageAsync();
        await using var _ = page.Context;

        await page.GotoAsync("/");
        var epl = page.GetByRole(AriaRole.Link, new() { Name = "English Premier League" });
        await epl.WaitForAsync();
        await ScreenshotAsync(page, "leagues");

        await epl.ClickAsync();
        await page.WaitForURLAsync($"**/leagues/{SeedData.EplId}*");
        var match = page.GetByRole(AriaRole.Link, new() { Name = "Arsenal v Chelsea" });
        await match.WaitForAsync();
        await ScreenshotAsync(page, "league");

        await match.ClickAsync();
        await page.WaitForURLAsync($"**/events/{SeedData.HistoryMarket}");
        var table = page.GetByTestId("timeseries");
        await table.WaitForAsync();
        await Assertions.Expect(page.GetByTestId("event-header")).ToContainTextAsync("Arsenal v Chelsea");
        await Assertions.Expect(page.GetByTestId("event-header")).ToContainTextAsync("English Premier League");

        // One row per point, newest first: the last row is the oldest bucket, from the backfilled half.
        var rows = table.Locator("tbody tr");
        var oldestBucket = web.Seed.HistoryTimes.GroupBy(t => t.UtcTicks / TimeSpan.FromMinutes(15).Ticks).Count();
        await Assertions.Expect(rows).ToHaveCountAsync(oldestBucket);
        var oldest = rows.Last;
        foreach (var column in new[] { "home_best_back_size_l1", "home_back_stake", "away_best_lay_size_l1", "draw_lay_stake", "home_size_impedance_l1", "home_impedance" })
        {
            Assert.Matches(AmountPattern(), (await oldest.Locator($"[data-col={column}]").TextContentAsync())!.Trim());
        }

        Assert.Matches(PricePattern(), (await oldest.Locator("[data-col=home_best_back]").TextContentAsync())!.Trim());
        Assert.Matches(PricePattern(), (await oldest.Locator("[data-col=home_back_odds]").TextContentAsync())!.Trim());
        await ScreenshotAsync(page, "event");

        await oldest.ClickAsync();
        var raw = page.GetByTestId("raw-snapshot");
        await Assertions.Expect(raw).ToContainTextAsync($"\"marketId\": \"{SeedData.HistoryMarket}\"");
        await Assertions.Expect(raw).ToContainTextAsync("availableToBack");
        await ScreenshotAsync(page, "event-raw");
    }

    [Fact]
    public async Task EventPage_LegacyNulls_ShowDashOnlyWhereNull()
    {
        var page = await NewPageAsync();
        await using var _ = page.Context;

        await page.GotoAsync($"/events/{SeedData.LegacyMarket}?interval=5");
        var table = page.GetByTestId("timeseries");
        await table.WaitForAsync();
        var row = table.Locator("tbody tr").First;

        Assert.Equal(Dash, (await row.Locator("[data-col=home_best_back_size_l1]").TextContentAsync())!.Trim());
        Assert.Equal(Dash, (await row.Locator("[data-col=home_back_stake]").TextContentAsync())!.Trim());
        Assert.Equal(Dash, (await row.Locator("[data-col=home_size_impedance_l1]").TextContentAsync())!.Trim());
        Assert.Matches(PricePattern(), (await row.Locator("[data-col=home_best_back]").TextContentAsync())!.Trim());
        Assert.Matches(AmountPattern(), (await row.Locator("[data-col=home_risk]").TextContentAsync())!.Trim());
        Assert.Matches(AmountPattern(), (await row.Locator("[data-col=home_impedance]").TextContentAsync())!.Trim());
        await Assertions.Expect(page.GetByTestId("state")).ToContainTextAsync("In play");
        await ScreenshotAsync(page, "event-legacy-nulls");
    }

    [Fact]
    public async Task LeaguesPage_SearchAndDayNavigation_FilterTheList()
    {
        var page = await NewPageAsync();
        await using var _ = page.Context;

        await page.GotoAsync("/");
        await page.GetByTestId("leagues").WaitForAsync();
        await page.GetByTestId("search").FillAsync("liga");
        await page.GetByTestId("search").PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("leagues").Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("leagues")).ToContainTextAsync("Spanish La Liga");

        await page.GetByTestId("next-day").ClickAsync();
        await Assertions.Expect(page.GetByTestId("empty")).ToBeVisibleAsync();
        await page.GetByTestId("search").FillAsync("");
        await page.GetByTestId("search").PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("leagues")).ToContainTextAsync("English Premier League");

        await page.GetByTestId("today").ClickAsync();
        await page.GetByTestId("filter").SelectOptionAsync("inplay");
        await Assertions.Expect(page.GetByTestId("leagues").Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("leagues")).ToContainTextAsync("Spanish La Liga");
    }

    [Fact]
    public async Task EventPage_IntervalSelector_RefetchesBuckets()
    {
        var page = await NewPageAsync();
        await using var _ = page.Context;

        await page.GotoAsync($"/events/{SeedData.HistoryMarket}");
        await page.GetByTestId("timeseries").WaitForAsync();
        await page.GetByTestId("interval").SelectOptionAsync("60");

        var hours = web.Seed.HistoryTimes.GroupBy(t => t.UtcTicks / TimeSpan.FromHours(1).Ticks).Count();
        await Assertions.Expect(page.GetByTestId("timeseries").Locator("tbody tr")).ToHaveCountAsync(hours);
        await Assertions.Expect(page.GetByTestId("chart-impedance")).ToHaveAttributeAsync("data-lines", "3");
    }

    [Fact]
    public async Task EventPage_SizeImpedanceL1_ShowsTheServersValue()
    {
        using var client = web.CreateClient();
        using var response = await client.GetAsync(new Uri($"/api/events/{SeedData.HistoryMarket}/timeseries", UriKind.Relative), TestContext.Current.CancellationToken);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var newest = document.RootElement.EnumerateArray().Last();
        // The UI formats amounts as en-GB with 2 decimals; the invariant culture groups and rounds the same way.
        string Amount(double value) => value.ToString("N2", CultureInfo.InvariantCulture);

        var page = await NewPageAsync();
        await using var _ = page.Context;
        await page.GotoAsync($"/events/{SeedData.HistoryMarket}");
        var row = page.GetByTestId("timeseries").Locator("tbody tr").First;
        await row.WaitForAsync();

        foreach (var outcome in new[] { "home", "away", "draw" })
        {
            var served = newest.GetProperty("sizeImpedanceL1").GetProperty(outcome).GetDouble();
            Assert.Equal(Amount(served), (await row.Locator($"[data-col={outcome}_size_impedance_l1]").TextContentAsync())!.Trim());
            Assert.Equal(Amount(served), (await page.GetByTestId("latest").Locator($"[data-col={outcome}_size_impedance_l1]").TextContentAsync())!.Trim());
        }

        await Assertions.Expect(page.GetByTestId("chart-size-impedance")).ToHaveAttributeAsync("data-lines", "3");
    }

    [Fact]
    public async Task LeaguePage_MetricCells_ShowTheLatestOutcomeValues()
    {
        var page = await NewPageAsync();
        await using var _ = page.Context;

        await page.GotoAsync($"/leagues/{SeedData.EplId}");
        var row = page.GetByTestId("events").Locator($"tr[data-market-id=\"{SeedData.HistoryMarket}\"]");
        await row.WaitForAsync();

        Assert.Matches(PricePattern(), (await row.Locator("[data-col=away_best_back]").TextContentAsync())!.Trim());
        Assert.Matches(AmountPattern(), (await row.Locator("[data-col=draw_back_stake]").TextContentAsync())!.Trim());
        Assert.Matches(AmountPattern(), (await row.Locator("[data-col=home_risk]").TextContentAsync())!.Trim());
        await Assertions.Expect(page.GetByTestId("events").Locator("thead")).ToContainTextAsync("H impedance");
    }
}

using System.Runtime.CompilerServices;
using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(NetBet.Web.Tests.Ui.BrowserFixture))]

namespace NetBet.Web.Tests.Ui;

/// <summary>
/// One headless Debian Chromium for the test assembly, driven by Playwright with its executable path set: Playwright
/// never downloads a browser here. <c>./test.sh</c> installs the <c>chromium</c> package when it is missing; without
/// it the UI tests fail with that instruction rather than skip.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary><c>artifacts/screenshots</c> under the repository root (or the working directory outside a checkout).</summary>
    public string ScreenshotDirectory { get; } = Path.Combine(FindRepositoryRoot() ?? Directory.GetCurrentDirectory(), "artifacts", "screenshots");

    /// <summary>A page in a new browser context on <paramref name="baseAddress"/>; dispose its <c>Context</c> when done.</summary>
    public async Task<IPage> NewPageAsync(Uri baseAddress, int height = 900)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        var context = await Browser.NewContextAsync(new() { BaseURL = baseAddress.ToString(), ViewportSize = new() { Width = 1400, Height = height } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        return page;
    }

    /// <summary>A full-page screenshot to <c>artifacts/screenshots/{name}.png</c>.</summary>
    public async Task ScreenshotAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
    }

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install the Debian package (apt-get install -y chromium), as ./test.sh does.");
        }

        Directory.CreateDirectory(ScreenshotDirectory);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    // Builds may put the binaries outside the checkout (--artifacts-path), so the source file's own path is tried too.
    private static string? FindRepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
        {
            for (var dir = start.Length == 0 ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "NetBet.slnx")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }
}

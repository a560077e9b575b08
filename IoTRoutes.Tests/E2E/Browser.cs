using Microsoft.Playwright;

namespace IoTRoutes.Tests.E2E;

/// <summary>Debian's Chromium, headless, driven by Playwright (its own browser download cannot work here).</summary>
public static class Browser
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        // Playwright gives every non-persistent launch a fresh, temporary profile (the fresh --user-data-dir).
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--disable-dev-shm-usage",
            ],
        });
        return (playwright, browser);
    }

    /// <summary>Runs a journey; when it fails, leaves a screenshot and the page's HTML next to the test binaries.</summary>
    public static async Task JourneyAsync(IPage page, string name, Func<Task> journey)
    {
        try
        {
            await journey();
        }
        catch
        {
            await page.ScreenshotAsync(new() { Path = ScreenshotPath($"FAILED-{name}.png"), FullPage = true });
            await File.WriteAllTextAsync(ScreenshotPath($"FAILED-{name}.html"), await page.ContentAsync());
            throw;
        }
    }

    /// <summary>Where journeys leave screenshots for a person to look at.</summary>
    public static string ScreenshotPath(string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}

using IoTRoutes.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IoTRoutes.Tests.E2E;

/// <summary>Tests that drive Debian's Chromium against one IoTRoutes started for their class.</summary>
public abstract class BrowserJourney(BrowserApp app) : IClassFixture<BrowserApp>, IAsyncLifetime
{
    private IPlaywright _playwright = null!;

    protected IoTRoutesApp App { get; } = app.Started();

    protected IBrowser Chromium { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        (_playwright, Chromium) = await Browser.LaunchAsync();
        SetDefaultExpectTimeout(15_000);
    }

    public async Task DisposeAsync()
    {
        await Chromium.DisposeAsync();
        _playwright.Dispose();
    }
}

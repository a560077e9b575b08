using System.Collections.Concurrent;
using System.Net;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IoTRoutes.Tests.E2E;

/// <summary>The API reference in a real browser: everything it loads comes from IoTRoutes, and it offers no third-party services.</summary>
public sealed class ApiReferencePageTests(BrowserApp app) : BrowserJourney(app)
{
    [Fact]
    public async Task The_api_reference_loads_nothing_from_outside_and_offers_no_third_party_buttons()
    {
        var context = await Chromium.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        var requested = new ConcurrentQueue<string>();
        context.Request += (_, request) => requested.Enqueue(request.Url);
        var page = await context.NewPageAsync();
        await Browser.JourneyAsync(page, "api-reference", async () =>
        {
            await page.GotoAsync(App.BaseAddress + "/api-reference");
            await Expect(page.GetByText("Authorization: Bearer <accessToken>")).ToBeVisibleAsync();
            await Expect(page.GetByText("List devices").First).ToBeVisibleAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Test Request" }).First.ClickAsync(); // the in-page client
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Send" }).First).ToBeVisibleAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

            var body = await page.Locator("body").InnerTextAsync();
            foreach (var offer in new[] { "Open API Client", "Ask AI", "Generate SDK", "Deploy" })
            {
                Assert.DoesNotContain(offer, body, StringComparison.Ordinal);
            }
        });

        var outside = requested.Where(url => !IsLoopback(new Uri(url))).Distinct().ToList();
        Assert.True(outside.Count == 0, $"Requests outside IoTRoutes:{Environment.NewLine}{string.Join(Environment.NewLine, outside)}");
        Assert.Contains(requested, url => url.EndsWith("/openapi/v1.json", StringComparison.Ordinal));
        await context.CloseAsync();
    }

    private static bool IsLoopback(Uri uri) =>
        uri.Scheme is "data" or "blob" or "about" ||
        uri.Host == "localhost" || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}

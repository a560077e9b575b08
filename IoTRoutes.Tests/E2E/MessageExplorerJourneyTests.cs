using System.Net.Http.Json;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IoTRoutes.Tests.E2E;

/// <summary>
/// An operator looking for messages in a real browser: a bad topic filter explained, a field condition narrowing the list
/// (and kept in the address), a binary payload read as hex in the drawer, a CSV export through the browser's session,
/// and the live first page pausing while older pages are read. Messages come from mosquitto_pub.
/// </summary>
public sealed class MessageExplorerJourneyTests(BrowserApp app) : BrowserJourney(app)
{
    [Fact]
    public async Task An_operator_filters_reads_a_payload_in_hex_exports_and_pages_back_while_the_live_view_waits()
    {
        using var api = await App.CreateAuthenticatedClientAsync();
        var response = await api.PostAsJsonAsync("/api/v1/devices", new { name = "Boiler room" });
        response.EnsureSuccessStatusCode();
        var device = (await response.Content.ReadFromJsonAsync<Created>())!;
        var telemetry = $"devices/{device.Key}/telemetry";
        for (var i = 0; i < 52; i++)
        {
            await MosquittoPub.PublishAsync(App.MqttPort, device.Key, device.Secret, telemetry, $$"""{"temp":{{20 + i % 10}},"n":{{i}}}""");
        }

        await MosquittoPub.PublishFileAsync(App.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/raw", [0x01, 0x02, 0xFF, 0x68, 0x69]);
        await Eventually.GetAsync(async () => await api.GetFromJsonAsync<Stats>("/api/v1/messages/stats") is { Received: 53 } s ? s : null, "53 stored");

        var page = await Chromium.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 1000 } });
        await Browser.JourneyAsync(page, "message-explorer", async () =>
        {
            await page.GotoAsync(App.BaseAddress + "/messages");
            await page.Locator("#email").FillAsync(IoTRoutesApp.AdminEmail);
            await page.Locator("#password").FillAsync(IoTRoutesApp.AdminPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(page.Locator("[data-test=explorer][data-interactive=yes]")).ToBeVisibleAsync();
            await Expect(page.Locator("[data-test=live]")).ToBeVisibleAsync();
            var rows = page.Locator("tr.message-row-clickable");
            await Expect(rows).ToHaveCountAsync(50);

            await page.Locator("input[data-test=topic-filter]").FillAsync("devices/#/telemetry");
            await Expect(page.Locator("[data-test=filter-errors]")).ToContainTextAsync("# stands alone as the last level");

            await page.Locator("input[data-test=topic-filter]").FillAsync("devices/+/telemetry");
            await page.Locator("input[data-test=field-name]").FillAsync("temp");
            await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("field=temp"));
            await Expect(rows).ToHaveCountAsync(50); // no value yet: the condition waits instead of failing
            await page.Locator("[data-test=field-op]").ClickAsync();
            await page.Locator(".mud-popover-open .mud-list-item", new() { HasTextString = "≥" }).ClickAsync();
            await page.Locator("input[data-test=field-value]").FillAsync("29");
            await Expect(rows).ToHaveCountAsync(5); // temp 29 for n = 9, 19, 29, 39, 49
            await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("op=ge&value=29"));
            await Expect(page.Locator("[data-test=last-page]")).ToBeVisibleAsync();

            var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-test=export-csv]").ClickAsync());
            var csv = await File.ReadAllLinesAsync((await download.PathAsync())!);
            Assert.Equal("messages.csv", download.SuggestedFilename);
            Assert.Equal(6, csv.Length); // the header and the same five messages
            Assert.All(csv.Skip(1), line => Assert.Contains("\"{\"\"temp\"\":29,", line, StringComparison.Ordinal));

            await page.Locator("[data-test=clear-filters]").ClickAsync();
            await Expect(rows).ToHaveCountAsync(50);
            await rows.Filter(new() { HasText = "/raw" }).Locator("td").Nth(3).ClickAsync();
            var drawer = page.Locator("[data-test=message-detail]");
            await Expect(drawer).ToContainTextAsync("Not valid JSON");
            await Expect(drawer.Locator("[data-test=payload-hex]")).ToContainTextAsync("01 02 ff 68 69");
            await Expect(drawer.Locator("[data-test=payload-hex]")).ToContainTextAsync("...hi");
            await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("message-drawer.png") });
            await page.Locator("[data-test=drawer-close]").ClickAsync();
            await Expect(drawer).ToBeHiddenAsync();

            await page.Locator("[data-test=older]").ClickAsync();
            await Expect(page.Locator("[data-test=paused]")).ToContainTextAsync("older pages");
            await Expect(page.Locator("[data-test=page-number]")).ToContainTextAsync("Page 2 · 3 messages");
            await MosquittoPub.PublishAsync(App.MqttPort, device.Key, device.Secret, telemetry, """{"temp":99,"n":"late"}""");
            await Expect(page.Locator("[data-test=stat-received]")).ToHaveTextAsync("54"); // the counts stay live...
            await Expect(page.Locator("[data-test=page-number]")).ToContainTextAsync("Page 2 · 3 messages"); // ...the page being read does not move
            await page.Locator("[data-test=resume]").ClickAsync();
            await Expect(page.Locator("[data-test=live]")).ToBeVisibleAsync();
            await Expect(rows.First).ToContainTextAsync("\"late\"");
        });
    }

    private sealed record Created(Guid Id, string Key, string Secret);

    private sealed record Stats(long Received);
}

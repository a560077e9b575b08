using System.Net.Http.Json;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IoTRoutes.Tests.E2E;

/// <summary>
/// An integrator in a real browser: describes a binary payload in the format editor, puts the format in a profile, gives
/// the profile to a device, and sees what mosquitto_pub sends decoded and charted on the device page.
/// </summary>
public sealed class BinaryFormatJourneyTests(BrowserApp app) : BrowserJourney(app)
{
    [Fact]
    public async Task A_binary_format_made_in_the_editor_decodes_what_mosquitto_pub_sends_and_the_device_page_charts_it()
    {
        using var admin = await App.CreateAuthenticatedClientAsync();
        var created = await admin.PostAsJsonAsync("/api/v1/devices", new { name = "Greenhouse 4" });
        created.EnsureSuccessStatusCode();
        var device = (await created.Content.ReadFromJsonAsync<CreatedDevice>())!;

        var page = await Chromium.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        await Browser.JourneyAsync(page, "binary-format", async () =>
        {
            await page.GotoAsync(App.BaseAddress + "/formats/new");
            await page.Locator("#email").FillAsync(IoTRoutesApp.AdminEmail);
            await page.Locator("#password").FillAsync(IoTRoutesApp.AdminPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New format" })).ToBeVisibleAsync();
            await Expect(page.Locator("[data-test=save-format]")).ToBeEnabledAsync(); // interactive: what is typed now stays

            // The editor: a name, the Binary kind (its starter layout), one more field typed into the table.
            await page.Locator("input[data-test=format-name]").FillAsync("Climate frame");
            await page.Locator("[data-test=format-kind]").ClickAsync();
            await page.Locator(".mud-popover-open").GetByText("Binary", new() { Exact = true }).ClickAsync();
            await Expect(page.Locator("[data-test=binary-fields] tbody tr")).ToHaveCountAsync(2);
            await page.Locator("[data-test=binary-fields-add]").ClickAsync();
            await Expect(page.Locator("[data-test=field-bytes]").Nth(2)).ToHaveTextAsync("3");
            await page.Locator("input[data-test=field-name]").Nth(2).FillAsync("battery");
            await page.Locator("input[data-test=field-name]").Nth(2).PressAsync("Tab");
            await page.Locator("input[data-test=field-scale]").Nth(2).FillAsync("0.02");
            await page.Locator("input[data-test=field-scale]").Nth(2).PressAsync("Tab");
            await page.Locator("input[data-test=field-unit]").Nth(2).FillAsync("V");
            await page.Locator("input[data-test=field-unit]").Nth(2).PressAsync("Tab");

            // The try-it panel follows the table as it is edited.
            await page.Locator("textarea[data-test=sample]").FillAsync("08 66 61 B4");
            await Expect(page.Locator("[data-test=try-fields]")).ToContainTextAsync("3.6");
            await page.Locator("[data-test=save-test-case]").ClickAsync();
            await Expect(page.Locator("[data-test=test-summary]")).ToHaveTextAsync("1 of 1 passing");
            await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("format-editor-binary.png"), FullPage = true });
            await page.Locator("[data-test=save-format]").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Climate frame" })).ToBeVisibleAsync();

            // A profile with that format.
            await page.GotoAsync(App.BaseAddress + "/profiles");
            await Expect(page.Locator("[data-test=add-profile]")).ToBeEnabledAsync();
            await page.Locator("[data-test=add-profile]").ClickAsync();
            await page.Locator("input[data-test=profile-name]").FillAsync("Greenhouse kit");
            await page.Locator("[data-test=profile-add-format]").ClickAsync();
            await page.Locator(".mud-popover-open").GetByText("Climate frame (Binary)").ClickAsync();
            await page.Locator("[data-test=save-profile]").ClickAsync();
            await Expect(page.Locator("[data-test=profiles]")).ToContainTextAsync("Greenhouse kit");

            // The device takes the profile on its page.
            await page.GotoAsync(App.BaseAddress + $"/devices/{device.Id}");
            await OpenUntilAsync(page, page.Locator("[data-test=device-profile]"), page.Locator(".mud-popover-open").GetByText("Greenhouse kit"));
            await page.Locator(".mud-popover-open").GetByText("Greenhouse kit").ClickAsync();
            await Expect(page.GetByText("Profile changed: the next messages are read with it.")).ToBeVisibleAsync();

            await PublishFileAsync(device, [0x08, 0x66, 0x61, 0xB4]);
            await PublishFileAsync(device, [0x08, 0xCA, 0x62, 0xB2]);

            await Expect(page.Locator("[data-test=latest-fields]")).ToContainTextAsync("22.5", new() { Timeout = 20_000 });
            await Expect(page.Locator("[data-test=latest-fields]")).ToContainTextAsync("°C");
            await Expect(page.Locator("[data-test=latest-fields]")).ToContainTextAsync("3.56");
            await Expect(page.Locator("[data-test=telemetry-chart]")).ToHaveCountAsync(3);
            await Expect(page.Locator("[data-test=telemetry-chart]").First).ToContainTextAsync("2 points");
            await Expect(page.Locator("[data-test=telemetry-chart] polyline[data-test=segment]").First).ToBeVisibleAsync();
            await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("device-decoded-binary.png"), FullPage = true });

            // The export link gives the same window as CSV, through the browser's own session.
            var csv = await page.APIRequest.GetAsync(App.BaseAddress + "/" + await page.Locator("[data-test=telemetry-export]").GetAttributeAsync("href"));
            Assert.Equal(200, csv.Status);
            var lines = (await csv.TextAsync()).Trim().Split('\n');
            Assert.Equal("time,temperature (°C),humidity (%),battery (V)", lines[0]);
            Assert.Equal(3, lines.Length);
            Assert.EndsWith(",22.5,49,3.56", lines[2]);
        });
    }

    /// <summary>Clicks until <paramref name="shown"/> appears: a click before the page turns interactive does nothing.</summary>
    private static async Task OpenUntilAsync(IPage page, ILocator target, ILocator shown)
    {
        for (var attempt = 0; attempt < 15 && !await shown.IsVisibleAsync(); attempt++)
        {
            await target.ClickAsync();
            await page.WaitForTimeoutAsync(1000);
        }
    }

    private Task PublishFileAsync(CreatedDevice device, byte[] payload) =>
        MosquittoPub.PublishFileAsync(App.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", payload);

    private sealed record CreatedDevice(Guid Id, string Key, string Secret);
}

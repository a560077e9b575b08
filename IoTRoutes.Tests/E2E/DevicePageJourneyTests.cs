using System.Net.Http.Json;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IoTRoutes.Tests.E2E;

/// <summary>A person on a device's page: charts of every field, a tooltip on hover, the connect command copied as it is.</summary>
public sealed class DevicePageJourneyTests(BrowserApp app) : BrowserJourney(app)
{
    [Fact]
    public async Task A_field_missing_from_a_message_keeps_its_chart_the_tooltip_shows_a_value_and_the_copied_command_has_the_real_port()
    {
        using var api = await App.CreateAuthenticatedClientAsync();
        var response = await api.PostAsJsonAsync("/api/v1/devices", new { name = "Greenhouse sensor" });
        response.EnsureSuccessStatusCode();
        var device = (await response.Content.ReadFromJsonAsync<Created>())!;
        foreach (var payload in new[] { """{"temp":20.5}""", """{"temp":21}""", """{"temp":21.5}""" })
        {
            await MosquittoPub.PublishAsync(App.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", payload);
        }

        await MosquittoPub.PublishAsync(App.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/status", """{"battery":87}""");

        var context = await Chromium.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = App.BaseAddress });
        var page = await context.NewPageAsync();
        await Browser.JourneyAsync(page, "device-page", async () =>
        {
            await page.GotoAsync(App.BaseAddress + $"/devices/{device.Id}");
            await page.Locator("#email").FillAsync(IoTRoutesApp.AdminEmail);
            await page.Locator("#password").FillAsync(IoTRoutesApp.AdminPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

            var temp = page.Locator("[data-test=telemetry-chart]", new() { HasText = "temp" });
            await Expect(temp.Locator("[data-test=marker]")).ToHaveCountAsync(3);
            await Expect(page.Locator("[data-test=telemetry-chart]", new() { HasText = "battery" }).Locator("[data-test=marker]")).ToHaveCountAsync(1);

            var tip = temp.Locator("[data-test=marker]").Nth(1).Locator(".field-chart-tip");
            await Expect(tip).ToBeHiddenAsync();
            await temp.Locator("[data-test=marker] .field-chart-hit").Nth(1).HoverAsync(new() { Force = true });
            await Expect(tip).ToBeVisibleAsync();
            await Expect(tip).ToContainTextAsync("21");

            await Expect(page.Locator("[data-test=copy-key]")).ToBeEnabledAsync(); // the circuit is up: clicks are handled
            await page.Locator("[data-test=connect-panel] .mud-expand-panel-header").ClickAsync();
            var publish = page.Locator("[data-test=ready-command]", new() { HasText = "Publish telemetry" });
            await publish.Locator("[data-test=copy-command]").ClickAsync();
            await page.WaitForFunctionAsync("async () => (await navigator.clipboard.readText()).length > 0"); // the copy goes through the circuit
            var copied = await page.EvaluateAsync<string>("navigator.clipboard.readText()");
            Assert.Equal($"mosquitto_pub -h 127.0.0.1 -p {App.MqttPort} -u {device.Key} -P '<secret>' -t devices/{device.Key}/telemetry -m '{{\"temp\":21.5}}' -q 1", copied);
        });
    }

    private sealed record Created(Guid Id, string Key, string Secret);
}

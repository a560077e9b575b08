using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Tests.Communicators.Smtp;
using IoTRoutes.Tests.Infrastructure;
using IoTRoutes.Tests.Integration;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IoTRoutes.Tests.E2E;

/// <summary>
/// In a real browser: add a mail communicator and test it, add a notification rule; a device's telemetry over MQTT raises
/// an alert, and its mail reaches a real SMTP server (aiosmtpd); the alert lists the notification as sent.
/// </summary>
public sealed class NotificationJourneyTests(BrowserApp app) : BrowserJourney(app)
{
    [Fact]
    public async Task An_administrator_sets_up_mail_for_an_alert_and_the_mail_arrives_when_a_device_overheats()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        var page = await Chromium.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        await Browser.JourneyAsync(page, "notifications", async () =>
        {
            await page.GotoAsync(App.BaseAddress + "/communicators");
            await page.Locator("#email").FillAsync(IoTRoutesApp.AdminEmail);
            await page.Locator("#password").FillAsync(IoTRoutesApp.AdminPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(page.Locator("[data-test=add-communicator]")).ToBeEnabledAsync();

            // A mail communicator, tested.
            await page.Locator("[data-test=add-communicator]").ClickAsync();
            await page.Locator("input[data-test=communicator-name]").FillAsync("Plant mail");
            await page.Locator("input[data-test=field-host]").FillAsync("127.0.0.1");
            await page.Locator("input[data-test=field-port]").FillAsync(smtp.Port.ToString());
            await page.Locator("[data-test=field-security]").ClickAsync();
            await page.Locator(".mud-popover-open").GetByText("None", new() { Exact = true }).ClickAsync();
            await page.Locator("input[data-test=field-sender]").FillAsync("iot@plant.example");
            await page.Locator("[data-test=save-communicator]").ClickAsync();
            await Expect(page.Locator("[data-test=communicators] tbody tr")).ToHaveCountAsync(1);
            await page.Locator("[data-test=test-communicator]").ClickAsync();
            await Expect(page.Locator("[data-test=test-result]")).ToContainTextAsync("connected and logged in");

            // A rule: Overheat alerts to the operators.
            await page.Locator("[data-test=add-rule]").ClickAsync();
            await page.Locator("input[data-test=rule-name]").FillAsync("Overheating to operators");
            await page.Locator("input[data-test=rule-recipients]").FillAsync("operators@plant.example");
            await page.Locator("input[data-test=rule-types]").FillAsync("Overheat");
            await page.Locator("[data-test=save-rule]").ClickAsync();
            await Expect(page.Locator("[data-test=rules] tbody tr")).ToContainTextAsync("Overheat");
            await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("communicators.png"), FullPage = true });

            // A device and a workflow that raises Overheat (through the API: the designer has its own journeys).
            using var api = await App.CreateAuthenticatedClientAsync();
            var device = (await (await api.PostAsJsonAsync("/api/v1/devices", new { name = "Kiln 3" })).Content.ReadFromJsonAsync<CreatedDeviceBody>())!;
            var workflow = (await (await api.PostAsJsonAsync("/api/v1/workflows", JsonNode.Parse("""
                {"name": "Kiln watch", "definition": {"nodes": [
                  {"id": "in", "type": "OnMessage", "settings": {"exchangeType": "Telemetry"}},
                  {"id": "hot", "type": "Filter", "settings": {"condition": "temp > 900"}},
                  {"id": "alert", "type": "RaiseAlert", "settings": {"alertType": "Overheat", "severity": "Critical", "message": "{{ device.name }} at {{ temp }} °C"}}],
                  "links": [{"from": "in", "to": "hot"}, {"from": "hot", "fromPort": "true", "to": "alert"}]}}
                """))).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
            (await api.PostAsJsonAsync($"/api/v1/workflows/{workflow}/publish", new { })).EnsureSuccessStatusCode();

            await MosquittoPub.PublishAsync(App.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", """{"temp":950}""");

            var mail = await App.EventuallyAsync(() => Task.FromResult(smtp.Received().FirstOrDefault()), "the Overheat mail");
            Assert.Equal("[Critical] Overheat raised on Kiln 3", mail!.Subject);
            Assert.Equal("operators@plant.example", mail.To.Mailboxes.Single().Address);
            Assert.Contains("Kiln 3 at 950 °C", mail.TextBody);

            await page.GotoAsync(App.BaseAddress + "/alerts");
            await page.Locator("[data-test=show-notifications]").First.ClickAsync();
            await Expect(page.Locator("[data-test=notification-status]").First).ToHaveTextAsync("Sent");
            await Expect(page.Locator("[data-test=notification]").First).ToContainTextAsync("operators@plant.example");
            await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("alert-notifications.png"), FullPage = true });
        });
    }
}

using System.Net.Http.Json;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IoTRoutes.Tests.E2E;

public sealed class BrowserApp() : IoTRoutesApp(TestDatabase.Sqlite(), realHttp: true);

/// <summary>A person in a real browser: sign in, create a device, publish with mosquitto_pub, see the message arrive.</summary>
public sealed class DeviceTelemetryJourneyTests(BrowserApp app) : BrowserJourney(app)
{
    [Fact]
    public async Task An_operator_creates_a_device_and_sees_its_first_message_arrive_live()
    {
        var page = await Chromium.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        await Browser.JourneyAsync(page, "operator", async () =>
        {

            await page.GotoAsync(App.BaseAddress + "/devices");
            await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login"));
            await SignInAsync(page, IoTRoutesApp.AdminEmail, IoTRoutesApp.AdminPassword);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Devices", Exact = true })).ToBeVisibleAsync();

            await page.Locator("[data-test=new-device]").ClickAsync();
            await Expect(page.GetByLabel("Name")).ToBeFocusedAsync(); // typing at once goes into the name
            await page.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
            await Expect(page.GetByText("Give the device a name.")).ToBeVisibleAsync();
            await page.GetByLabel("Name").FillAsync("Greenhouse sensor");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
            await Expect(page.Locator("[data-test=device-secret]")).ToBeVisibleAsync();
            var key = (await page.Locator("[data-test=device-key]").TextContentAsync())!.Trim();
            var secret = (await page.Locator("[data-test=device-secret]").TextContentAsync())!.Trim();
            await page.GetByRole(AriaRole.Button, new() { Name = "I have copied the secret" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Greenhouse sensor" })).ToBeVisibleAsync();

            await page.GetByRole(AriaRole.Link, new() { Name = "Messages" }).First.ClickAsync();
            await Expect(page.GetByText("No messages yet")).ToBeVisibleAsync();

            await MosquittoPub.PublishAsync(App.MqttPort, key, secret, $"devices/{key}/telemetry", """{"temp":21.5}""");
            await MosquittoPub.PublishAsync(App.MqttPort, key, secret, $"devices/{key}/telemetry", """{"temp": oops""");

            // No reload: the page updates itself.
            await Expect(page.GetByText("""{"temp":21.5}""")).ToBeVisibleAsync();
            await Expect(page.GetByText("Processed").First).ToBeVisibleAsync();
            await Expect(page.GetByText("Not valid JSON").First).ToBeVisibleAsync();
            await Expect(page.Locator("[data-test=stat-received]")).ToHaveTextAsync("2");
            await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("messages.png"), FullPage = true });

            await page.GetByRole(AriaRole.Link, new() { Name = "Greenhouse sensor" }).First.ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Greenhouse sensor", Exact = true })).ToBeVisibleAsync();
            await Expect(page.Locator("td", new() { HasText = """{"temp":21.5}""" })).ToBeVisibleAsync(); // the connect commands have it too
            await Expect(page.GetByText(key).First).ToBeVisibleAsync();
            await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("device.png"), FullPage = true });
        });
    }

    [Fact]
    public async Task A_wrong_password_is_refused_on_the_sign_in_page()
    {
        var page = await Chromium.NewPageAsync();
        await Browser.JourneyAsync(page, "wrong-password", async () =>
        {
            await page.GotoAsync(App.BaseAddress + "/account/login");

            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(page.GetByText("Enter your e-mail address.")).ToBeVisibleAsync();
            await SignInAsync(page, IoTRoutesApp.AdminEmail, "not-the-password");

            await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The e-mail address or the password is wrong.");
            await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login"));
        });
    }

    [Fact]
    public async Task A_user_with_a_generated_password_must_change_it_before_going_on()
    {
        const string email = "ops@test.local";
        const string generated = "generated-pass-1";
        await using (var db = await App.CreateDbContextAsync())
        {
            var user = new IoTRoutes.Core.Security.User
            {
                Id = Guid.NewGuid(), Email = email, NormalizedEmail = email.ToUpperInvariant(), PasswordHash = "", MustChangePassword = true,
                EntityId = IoTRoutes.Core.Entities.RootEntity.Id,
            };
            user.PasswordHash = new Microsoft.AspNetCore.Identity.PasswordHasher<IoTRoutes.Core.Security.User>().HashPassword(user, generated);
            db.Users.Add(user);
            db.UserRoles.Add(new IoTRoutes.Core.Security.Permissions.UserRole { UserId = user.Id, RoleId = IoTRoutes.Core.Security.Permissions.BuiltInRoles.OperatorId });
            await db.SaveChangesAsync();
        }

        var page = await Chromium.NewPageAsync();
        await Browser.JourneyAsync(page, "change-password", async () =>
        {
            await page.GotoAsync(App.BaseAddress + "/messages");
            await SignInAsync(page, email, generated);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Change your password" })).ToBeVisibleAsync();

            await page.GotoAsync(App.BaseAddress + "/devices");
            await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/change-password"));

            await page.Locator("#current-password").FillAsync(generated);
            await page.Locator("#new-password").FillAsync("my-own-password");
            await page.Locator("#confirm-password").FillAsync("my-own-password");
            await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();

            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Messages", Exact = true })).ToBeVisibleAsync();
            await using var check = await App.CreateDbContextAsync();
            Assert.False((await check.Users.SingleAsync(u => u.Email == email)).MustChangePassword);
        });
    }

    [Fact]
    public async Task A_client_user_sees_only_its_own_devices_and_no_admin_pages()
    {
        using var admin = await App.CreateAuthenticatedClientAsync();
        var clientX = await PostForIdAsync(admin, "/api/v1/entities", new { name = "Client X", type = "Customer" });
        var clientY = await PostForIdAsync(admin, "/api/v1/entities", new { name = "Client Y", type = "Customer" });
        await PostForIdAsync(admin, "/api/v1/devices", new { name = "X boiler", entityId = clientX });
        var deviceY = await PostForIdAsync(admin, "/api/v1/devices", new { name = "Y boiler", entityId = clientY });
        var (email, password) = await App.CreateUserAsync(clientX, IoTRoutes.Core.Security.Permissions.BuiltInRoles.ClientId);

        var page = await Chromium.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        await Browser.JourneyAsync(page, "client-user", async () =>
        {
            await page.GotoAsync(App.BaseAddress + "/devices");
            await SignInAsync(page, email, password);

            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "X boiler" })).ToBeVisibleAsync();
            await Expect(page.GetByText("Y boiler")).ToHaveCountAsync(0);
            await Expect(page.Locator("[data-test=new-device]")).ToHaveCountAsync(0);
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Entities" })).ToHaveCountAsync(0);
            await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("client-devices.png"), FullPage = true });

            await page.GotoAsync(App.BaseAddress + "/entities");
            await Expect(page.Locator("[data-test=access-denied]")).ToBeVisibleAsync();

            await page.GotoAsync(App.BaseAddress + $"/devices/{deviceY}");
            await Expect(page.GetByText("There is no device with this id")).ToBeVisibleAsync();
            await Expect(page.GetByText("Y boiler")).ToHaveCountAsync(0);
        });

        // The browser sign-in is in the audit log, with the address it came from.
        var audit = await admin.GetStringAsync($"/api/v1/audit?action=SignIn.Succeeded&user={Uri.EscapeDataString(email)}");
        Assert.Contains("\"from\":\"127.0.0.1\"", audit);
    }

    private static async Task<Guid> PostForIdAsync(HttpClient api, string path, object body)
    {
        var response = await api.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<IdOnly>())!.Id;
    }

    private sealed record IdOnly(Guid Id);

    private static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }
}

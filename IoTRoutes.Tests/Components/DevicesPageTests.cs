using Bunit;
using IoTRoutes.Core.Devices;
using IoTRoutes.Web.Components.Pages.Devices;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IoTRoutes.Tests.Components;

public sealed class DevicesPageTests : PageTestContext
{
    [Fact]
    public void Without_devices_the_page_says_so_and_offers_to_create_one()
    {
        var cut = Render<Devices>();

        cut.WaitForAssertion(() => Assert.Contains("No devices yet", cut.Markup));
        Assert.Contains("Create the first device", cut.Markup);
    }

    [Fact]
    public async Task Devices_are_listed_with_key_and_status()
    {
        var created = (await Devices.CreateAsync(new CreateDeviceRequest("Boiler room"), default)).Device!;

        var cut = Render<Devices>();

        cut.WaitForAssertion(() => Assert.Contains("Boiler room", cut.Markup));
        Assert.Contains(created.Key, cut.Markup);
        Assert.Contains("Offline", cut.Markup);
        Assert.Contains($"href=\"devices/{created.Id}\"", cut.Markup);
        Assert.DoesNotContain(created.Secret, cut.Markup);
    }

    [Fact]
    public async Task Selected_devices_get_a_profile_in_one_go_and_the_list_shows_it()
    {
        var formats = Services.GetRequiredService<IoTRoutes.Core.Messaging.Formats.FormatService>();
        var lpp = (await formats.CreateAsync(new("LPP", IoTRoutes.Core.Messaging.Formats.FormatKind.CayenneLpp, IoTRoutes.Core.Messaging.Formats.ExchangeType.Telemetry, "#", null, 1, []), default)).Id!.Value;
        var profile = (await Services.GetRequiredService<IoTRoutes.Core.Messaging.Profiles.ProfileService>()
            .CreateAsync(new IoTRoutes.Core.Messaging.Profiles.ProfileRequest("Field kit", [lpp], []), default)).Id!.Value;
        var a = (await Devices.CreateAsync(new CreateDeviceRequest("Kit A"), default)).Device!;
        var b = (await Devices.CreateAsync(new CreateDeviceRequest("Kit B"), default)).Device!;
        var c = (await Devices.CreateAsync(new CreateDeviceRequest("Kit C"), default)).Device!;
        var popovers = Render<MudPopoverProvider>();
        Render<MudSnackbarProvider>();
        var cut = Render<Devices>();
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-test=devices] tbody tr").Count));

        var rows = cut.FindAll("[data-test=devices] tbody tr");
        rows.Single(r => r.TextContent.Contains("Kit A")).QuerySelector("input[type=checkbox]")!.Change(true);
        cut.FindAll("[data-test=devices] tbody tr").Single(r => r.TextContent.Contains("Kit C")).QuerySelector("input[type=checkbox]")!.Change(true);
        cut.WaitForAssertion(() => Assert.Contains("Set profile of 2 selected", cut.Markup));
        await cut.InvokeAsync(() => cut.Find("[data-test=assign-profile] button").Click());
        popovers.WaitForAssertion(() => Assert.Contains("Field kit", popovers.Markup));
        await popovers.InvokeAsync(() => popovers.FindAll(".mud-menu-item").First(i => i.TextContent.Contains("Field kit")).Click());

        cut.WaitForAssertion(() => Assert.Equal(profile, Devices.FindAsync(a.Id, default).Result!.ProfileId), TimeSpan.FromSeconds(5));
        Assert.Equal(profile, (await Devices.FindAsync(c.Id, default))!.ProfileId);
        Assert.Null((await Devices.FindAsync(b.Id, default))!.ProfileId);
        cut.WaitForAssertion(() => Assert.Contains("Field kit", cut.FindAll("[data-test=devices] tbody tr").Single(r => r.TextContent.Contains("Kit C")).TextContent));
    }

    [Fact]
    public async Task Creating_a_device_shows_its_secret_once_and_lists_it()
    {
        var dialogs = Render<MudDialogProvider>();
        var cut = Render<Devices>();
        cut.WaitForAssertion(() => Assert.Contains("No devices yet", cut.Markup));

        await cut.InvokeAsync(() => cut.Find("[data-test=new-device]").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("Name", dialogs.Markup));
        dialogs.Find("input").Input("Greenhouse 3");
        await dialogs.InvokeAsync(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Create").Click());

        dialogs.WaitForAssertion(() => Assert.Contains("shown only once", dialogs.Markup));
        var device = Assert.Single(await Devices.ListAsync(default));
        Assert.Equal(device.Key, dialogs.Find("[data-test=device-key]").TextContent.Trim());
        var secret = dialogs.Find("[data-test=device-secret]").TextContent.Trim();
        var validator = new DeviceCredentialValidator(Db);
        Assert.NotNull(await validator.ValidateAsync(device.Key, secret, default));

        await dialogs.InvokeAsync(() => dialogs.FindAll("button").Single(b => b.TextContent.Contains("I have copied the secret")).Click());
        cut.WaitForAssertion(() => Assert.Contains("Greenhouse 3", cut.Markup));
        Assert.DoesNotContain(secret, cut.Markup);
    }

    [Fact]
    public async Task Creating_a_device_without_a_name_shows_the_validation_message_and_stores_nothing()
    {
        var dialogs = Render<MudDialogProvider>();
        var cut = Render<Devices>();
        cut.WaitForAssertion(() => Assert.Contains("No devices yet", cut.Markup));

        await cut.InvokeAsync(() => cut.Find("[data-test=new-device]").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("Name", dialogs.Markup));
        await dialogs.InvokeAsync(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Create").Click());

        dialogs.WaitForAssertion(() => Assert.Contains("Give the device a name.", dialogs.Markup));
        Assert.Empty(await Devices.ListAsync(default));
    }
}

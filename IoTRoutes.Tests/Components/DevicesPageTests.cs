using Bunit;
using IoTRoutes.Core.Devices;
using IoTRoutes.Web.Components.Pages.Devices;
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

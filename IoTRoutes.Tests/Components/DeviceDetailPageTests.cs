using Bunit;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Web.Components.Pages.Devices;

namespace IoTRoutes.Tests.Components;

public sealed class DeviceDetailPageTests : PageTestContext
{
    [Fact]
    public void An_unknown_device_says_it_does_not_exist()
    {
        var cut = Render<DeviceDetail>(ps => ps.Add(p => p.Id, Guid.NewGuid()));

        cut.WaitForAssertion(() => Assert.Contains("There is no device with this id", cut.Markup));
    }

    [Fact]
    public async Task A_device_without_messages_shows_its_key_and_both_empty_states()
    {
        var device = await CreateDeviceAsync("Quiet one");

        var cut = Render<DeviceDetail>(ps => ps.Add(p => p.Id, device.Id));

        cut.WaitForAssertion(() => Assert.Contains("Quiet one", cut.Find("h1").TextContent));
        Assert.Contains(device.Key, cut.Markup);
        Assert.NotNull(cut.Find("[data-test=telemetry-empty]"));
        Assert.Contains($"No message from this device yet. Publish to devices/{device.Key}/telemetry.", cut.Markup);
    }

    [Fact]
    public async Task Numeric_telemetry_is_charted_and_follows_new_messages()
    {
        var device = await CreateDeviceAsync("Charted");
        await StoreMessageAsync(device, """{"temp":20.5,"hum":40}""");
        await StoreMessageAsync(device, """{"temp":21.0,"hum":41}""");

        var cut = Render<DeviceDetail>(ps => ps.Add(p => p.Id, device.Id));

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-test=telemetry-chart]").Count));
        Assert.Contains("latest 21", cut.Markup);

        await StoreMessageAsync(device, """{"temp":23.25,"hum":44}""");
        Feed.Publish(new MessagesChanged(new HashSet<Guid> { device.Id }));

        cut.WaitForAssertion(() => Assert.Contains("latest 23.25", cut.Markup), TimeSpan.FromSeconds(5));
    }
}

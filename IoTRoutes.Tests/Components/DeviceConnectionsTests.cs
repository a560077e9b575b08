using Bunit;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Messaging.Brokers;
using IoTRoutes.Web.Components.Pages.Devices;

namespace IoTRoutes.Tests.Components;

public sealed class DeviceConnectionsTests : PageTestContext
{
    [Fact]
    public async Task The_history_shows_ten_events_a_page_newest_first_and_pages_to_the_oldest()
    {
        var device = await CreateDeviceAsync("Flaky");
        await using (var db = Db.CreateDbContext())
        {
            for (var i = 0; i < 25; i++)
            {
                db.ConnectionEvents.Add(new DeviceConnectionEvent
                {
                    Id = Guid.CreateVersion7(), DeviceId = device.Id, BrokerId = Guid.NewGuid(), Connected = i % 2 == 0, At = Clock.GetUtcNow().AddMinutes(i),
                    ClientId = $"client-{i}", RemoteAddress = "192.0.2.7", Protocol = "5.0", Reason = i % 2 == 0 ? null : $"reason {i}",
                });
            }

            await db.SaveChangesAsync();
        }

        var cut = Render<DeviceConnections>(ps => ps.Add(p => p.DeviceId, device.Id));

        cut.WaitForAssertion(() => Assert.Equal(10, cut.FindAll("[data-test=connection-event]").Count));
        Assert.Contains("25 events", cut.Markup);
        Assert.Contains("MQTT 5.0 · 192.0.2.7", cut.FindAll("[data-test=connection-event]")[0].TextContent); // event 24, a connection
        Assert.Contains("reason 23", cut.FindAll("[data-test=connection-event]")[1].TextContent);

        await cut.InvokeAsync(() => cut.FindAll("[data-test=connections-pages] button").Single(b => b.TextContent.Trim() == "3").Click());

        cut.WaitForAssertion(() => Assert.Equal(5, cut.FindAll("[data-test=connection-event]").Count));
        Assert.Contains("reason 1", cut.FindAll("[data-test=connection-event]")[3].TextContent);
        Assert.Contains("Connected", cut.FindAll("[data-test=connection-event]")[4].TextContent);
    }

    [Fact]
    public async Task A_device_that_never_connected_says_so_without_paging()
    {
        var device = await CreateDeviceAsync("Quiet");

        var cut = Render<DeviceConnections>(ps => ps.Add(p => p.DeviceId, device.Id));

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-test=no-connections]")));
        Assert.Empty(cut.FindAll("[data-test=connections-pages]"));
    }
}

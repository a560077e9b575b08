using Bunit;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging.Brokers;
using IoTRoutes.Web.Components.Pages.Devices;

namespace IoTRoutes.Tests.Components;

public sealed class DeviceConnectCommandsTests : PageTestContext
{
    [Fact]
    public async Task The_commands_carry_the_page_s_host_the_broker_s_ports_and_the_secret_while_it_is_shown()
    {
        await AddBrokerAsync(1884, 8884);
        var device = await CreateDeviceAsync("Boiler");

        var cut = Render<DeviceConnectCommands>(ps => ps.Add(p => p.DeviceId, device.Id).Add(p => p.DeviceKey, device.Key).Add(p => p.Secret, device.Secret));

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-test=ready-command]")));
        var commands = cut.FindAll("[data-test=ready-command] pre").Select(p => p.TextContent).ToList();
        Assert.Contains($"mosquitto_pub -h localhost -p 1884 -u {device.Key} -P '{device.Secret}' -t devices/{device.Key}/telemetry -m '{{\"temp\":21.5}}' -q 1", commands);
        Assert.Contains(commands, c => c.StartsWith("mosquitto_pub -h localhost -p 8884 --cafile iotroutes-ca.crt -u"));
        Assert.Contains("curl -fsS -o iotroutes-ca.crt http://localhost/api/v1/certificates/ca.pem", commands);
        Assert.DoesNotContain(commands, c => c.Contains("<host>"));
        Assert.Equal(commands.Count, cut.FindAll("[data-test=copy-command]").Count);
        Assert.Equal("api/v1/certificates/ca.pem", cut.Find("[data-test=download-ca]").GetAttribute("href"));
    }

    [Fact]
    public async Task Without_the_secret_the_commands_say_where_it_goes_and_without_a_broker_the_panel_says_what_to_do()
    {
        var device = await CreateDeviceAsync("Pump");

        var none = Render<DeviceConnectCommands>(ps => ps.Add(p => p.DeviceId, device.Id).Add(p => p.DeviceKey, device.Key));
        none.WaitForAssertion(() => Assert.Contains("No broker is enabled", none.Find("[data-test=no-broker]").TextContent));

        await AddBrokerAsync(1883, null);
        var cut = Render<DeviceConnectCommands>(ps => ps.Add(p => p.DeviceId, device.Id).Add(p => p.DeviceKey, device.Key));

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-test=ready-command]").Count)); // publish and subscribe; no TLS port, no CA
        Assert.All(cut.FindAll("[data-test=ready-command] pre"), p => Assert.Contains("-P '<secret>'", p.TextContent));
        Assert.Empty(cut.FindAll("[data-test=download-ca]"));
        Assert.DoesNotContain(device.Secret, cut.Markup);
    }

    private async Task AddBrokerAsync(int port, int? tlsPort)
    {
        await using var db = Db.CreateDbContext();
        db.Brokers.Add(new BrokerDefinition { Id = Guid.CreateVersion7(), Name = $"broker-{port}", EntityId = RootEntity.Id, Port = port, TlsPort = tlsPort, Enabled = true, CreatedAt = Clock.GetUtcNow() });
        await db.SaveChangesAsync();
    }
}

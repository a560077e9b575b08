using Bunit;
using IoTRoutes.Core.Messaging.Commands;
using IoTRoutes.Web.Components.Pages.Devices;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Tests.Components;

public sealed class DeviceCommandsTests : PageTestContext
{
    [Fact]
    public async Task A_command_with_invalid_json_is_refused_with_the_reason()
    {
        var device = await CreateDeviceAsync("Pump");
        var cut = Render<DeviceCommands>(p => p.Add(x => x.DeviceId, device.Id).Add(x => x.DeviceKey, device.Key));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-test=no-commands]")));

        cut.Find("[data-test=command-name]").Change("start");
        cut.Find("[data-test=command-payload]").Change("{not json");
        await cut.InvokeAsync(() => cut.Find("[data-test=send-command]").Click());

        cut.WaitForAssertion(() => Assert.Contains("Not valid JSON", cut.Markup));
        Assert.Empty((await Services.GetRequiredService<CommandService>().ListAsync(device.Id, 10, default))!);
    }

    [Fact]
    public async Task A_command_for_an_offline_device_is_listed_as_pending()
    {
        var device = await CreateDeviceAsync("Pump 2");
        var cut = Render<DeviceCommands>(p => p.Add(x => x.DeviceId, device.Id).Add(x => x.DeviceKey, device.Key));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-test=no-commands]")));

        cut.Find("[data-test=command-name]").Change("start");
        cut.Find("[data-test=command-payload]").Change("""{"speed":3}""");
        await cut.InvokeAsync(() => cut.Find("[data-test=send-command]").Click());

        cut.WaitForAssertion(() => Assert.Equal("Pending", cut.Find("[data-test=command-status]").TextContent.Trim()));
        Assert.Contains("{\"speed\":3}", cut.Markup);
        var stored = Assert.Single((await Services.GetRequiredService<CommandService>().ListAsync(device.Id, 10, default))!);
        Assert.Equal("start", stored.Name);
    }

    [Fact]
    public async Task A_command_a_workflow_sent_names_the_workflow_and_links_to_it()
    {
        var device = await CreateDeviceAsync("Pump 3");
        var workflowId = Guid.NewGuid();
        await using (var db = Db.CreateDbContext())
        {
            db.Commands.Add(new DeviceCommand
            {
                Id = Guid.CreateVersion7(), DeviceId = device.Id, Name = "stop", Status = CommandStatus.Pending, CreatedAt = Clock.GetUtcNow(),
                ExpiresAt = Clock.GetUtcNow().AddHours(1), CreatedBy = "Workflow Overheat", WorkflowId = workflowId, EffectKey = $"{Guid.NewGuid():N}/cmd",
            });
            await db.SaveChangesAsync();
        }

        var cut = Render<DeviceCommands>(p => p.Add(x => x.DeviceId, device.Id).Add(x => x.DeviceKey, device.Key));

        cut.WaitForAssertion(() =>
        {
            var link = cut.Find("a[data-test=command-workflow]");
            Assert.Equal($"/workflows/{workflowId}", link.GetAttribute("href"));
            Assert.Contains("Workflow Overheat", link.TextContent);
        });
    }
}

using Bunit;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Workflows.Alerts;
using IoTRoutes.Web.Components.Pages.Alerts;
using IoTRoutes.Web.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IoTRoutes.Tests.Components;

public sealed class AlertsPageTests : PageTestContext
{
    [Fact]
    public void Without_alerts_the_page_says_so_and_where_they_come_from()
    {
        var cut = Render<Alerts>();

        cut.WaitForAssertion(() => Assert.Contains("No open alerts", cut.Find("[data-test=empty]").TextContent));
        Assert.Contains("RaiseAlert node", cut.Markup);
    }

    [Fact]
    public async Task Open_alerts_are_listed_with_severity_count_and_state_and_a_new_one_appears_live()
    {
        var device = await CreateDeviceAsync("Oven");
        await Raiser().RaiseAsync(Raise(device, "HighTemperature", AlertSeverity.Critical), default);
        await Raiser().RaiseAsync(Raise(device, "HighTemperature", AlertSeverity.Critical), default);
        var cut = Render<Alerts>();
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)));

        Assert.Equal(("Critical", "2", "Active"), (Cell(cut, "severity"), Cell(cut, "count"), Cell(cut, "state")));
        Assert.Contains("Oven", Rows(cut)[0].TextContent);

        await Raiser().RaiseAsync(Raise(device, "LowBattery", AlertSeverity.Warning), default);

        cut.WaitForAssertion(() => Assert.Equal(["LowBattery", "HighTemperature"], cut.FindAll("[data-test=type]").Select(t => t.TextContent)));
    }

    [Fact]
    public async Task Acknowledge_and_clear_change_the_alert_and_a_cleared_alert_leaves_the_open_list()
    {
        var device = await CreateDeviceAsync("Fridge");
        var raised = (await Raiser().RaiseAsync(Raise(device, "DoorOpen", AlertSeverity.Minor), default))!;
        Render<MudSnackbarProvider>();
        var cut = Render<Alerts>();
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)));

        await cut.InvokeAsync(() => cut.Find("[data-test=acknowledge]").Click());
        cut.WaitForAssertion(() => Assert.Equal("Acknowledged", Cell(cut, "state")));
        Assert.Empty(cut.FindAll("[data-test=acknowledge]"));
        await cut.InvokeAsync(() => cut.Find("[data-test=clear]").Click());

        cut.WaitForAssertion(() => Assert.Contains("No open alerts", cut.Find("[data-test=empty]").TextContent));
        Assert.Equal(AlertState.Cleared, (await Services.GetRequiredService<AlertService>().FindAsync(raised.AlertId, default))!.State);
    }

    [Fact]
    public async Task Without_Alerts_Manage_the_alerts_show_without_acknowledge_or_clear_buttons()
    {
        Authorization.SetPolicies(Policies.AlertsView, Policies.DevicesView);
        var device = await CreateDeviceAsync("Boiler");
        await Raiser().RaiseAsync(Raise(device, "HighPressure", AlertSeverity.Major), default);

        var cut = Render<Alerts>();

        cut.WaitForAssertion(() => Assert.Single(Rows(cut)));
        Assert.Empty(cut.FindAll("[data-test=acknowledge]"));
        Assert.Empty(cut.FindAll("[data-test=clear]"));
    }

    [Fact]
    public async Task The_device_filter_from_the_address_and_the_severity_filter_narrow_the_list()
    {
        var a = await CreateDeviceAsync("Press A");
        var b = await CreateDeviceAsync("Press B");
        await Raiser().RaiseAsync(Raise(a, "HighPressure", AlertSeverity.Critical), default);
        await Raiser().RaiseAsync(Raise(a, "LowOil", AlertSeverity.Warning), default);
        await Raiser().RaiseAsync(Raise(b, "HighPressure", AlertSeverity.Critical), default);
        Services.GetRequiredService<NavigationManager>().NavigateTo($"alerts?deviceId={a.Id}");
        var popovers = Render<MudPopoverProvider>();

        var cut = Render<Alerts>();
        cut.WaitForAssertion(() => Assert.Equal(2, Rows(cut).Count));
        Assert.All(Rows(cut), r => Assert.Contains("Press A", r.TextContent));

        await cut.InvokeAsync(() => cut.Find("[data-test=severity-filter]").Closest(".mud-select")!.MouseDown());
        popovers.WaitForAssertion(() => Assert.Contains("Critical", popovers.Markup));
        await popovers.InvokeAsync(() => popovers.FindAll(".mud-list-item").First(i => i.TextContent.Trim() == "Critical").Click());

        cut.WaitForAssertion(() => Assert.Equal(["HighPressure"], cut.FindAll("[data-test=type]").Select(t => t.TextContent)));
        Assert.Contains("Press A", Rows(cut)[0].TextContent);
    }

    [Fact]
    public async Task The_device_page_lists_the_device_s_open_alerts_only()
    {
        var device = await CreateDeviceAsync("Tank");
        var other = await CreateDeviceAsync("Other tank");
        await Raiser().RaiseAsync(Raise(device, "Overflow", AlertSeverity.Critical), default);
        await Raiser().RaiseAsync(Raise(other, "Leak", AlertSeverity.Major), default);

        var cut = Render<DeviceAlerts>(p => p.Add(c => c.DeviceId, device.Id));

        cut.WaitForAssertion(() => Assert.Equal(["Overflow"], cut.FindAll("[data-test=type]").Select(t => t.TextContent)));
        await Raiser().ClearByTypeAsync(device.Id, "Overflow", default);
        cut.WaitForAssertion(() => Assert.Contains("No open alert on this device", cut.Find("[data-test=no-device-alerts]").TextContent));
    }

    private AlertRaiser Raiser() => new(Db, AlertFeed, new AlertEvents(Microsoft.Extensions.Logging.Abstractions.NullLogger<AlertEvents>.Instance), Clock);

    private static AlertRaise Raise(CreatedDeviceDto device, string type, AlertSeverity severity) =>
        new(device.Id, type, severity, $"{type} on {device.Name}");

    private static IReadOnlyList<AngleSharp.Dom.IElement> Rows(IRenderedComponent<Alerts> cut) => cut.FindAll("[data-test=alerts] tbody tr");

    private static string Cell(IRenderedComponent<Alerts> cut, string test) => cut.Find($"[data-test=alerts] tbody tr [data-test={test}]").TextContent.Trim();
}

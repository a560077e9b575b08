using Bunit;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Web.Components.Pages.Devices;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

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

    [Fact]
    public async Task The_time_range_chooses_which_points_are_charted_and_the_export_link_carries_the_same_window()
    {
        var device = await CreateDeviceAsync("Ranged");
        await StoreMessageAsync(device, """{"temp":18,"hum":40}""");
        Clock.Advance(TimeSpan.FromDays(2));
        await StoreMessageAsync(device, """{"temp":19}""");
        await StoreMessageAsync(device, """{"temp":20}""");

        var cut = Render<DeviceDetail>(ps => ps.Add(p => p.Id, device.Id));

        // Last 24 hours: only the two recent messages, and hum (only in the old one) is not charted at all.
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-test=telemetry-chart]")));
        Assert.Contains("latest 20 · 2 points", cut.Find("[data-test=telemetry-chart]").TextContent);
        var export = cut.Find("[data-test=telemetry-export]").GetAttribute("href")!;
        Assert.StartsWith($"devices/{device.Id}/telemetry.csv?from=2026-11-26T10%3A00%3A03", export);
        Assert.Contains("fields=temp", export);
        Assert.Equal($"messages?deviceId={device.Id}", cut.Find("[data-test=search-messages]").GetAttribute("href")); // the explorer, on this device

        await cut.InvokeAsync(() => cut.FindAll("[data-test=telemetry-range] .mud-toggle-item").Single(b => b.TextContent.Trim() == "7 days").Click());

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-test=telemetry-chart]").Count));
        Assert.Contains("latest 20 · 3 points", cut.Markup);
        Assert.Contains("latest 40 · 1 point", cut.Markup);
    }

    [Fact]
    public async Task A_payload_with_a_duplicate_key_is_left_out_of_the_charts_and_a_formula_as_a_field_name_is_exported_as_text()
    {
        var device = await CreateDeviceAsync("Hostile");
        await StoreMessageAsync(device, """{"t":1,"t":2}""");
        await StoreMessageAsync(device, """{"=HYPERLINK(\"http://x\")":5,"t":3}""");
        var series = Services.GetRequiredService<IoTRoutes.Core.Messaging.Telemetry.TelemetrySeries>();

        var fields = (await series.SeriesAsync(device.Id, new(), default))!;
        var csv = (await series.CsvAsync(device.Id, new(), default))!;

        Assert.Equal(["=HYPERLINK(\"http://x\")", "t"], fields.Select(f => f.Name));
        Assert.Equal(3, Assert.Single(fields[1].Points).Value);
        Assert.StartsWith("time,\"'=HYPERLINK(\"\"http://x\"\")\",t\n", csv);
    }

    [Fact]
    public async Task The_latest_values_appear_when_they_are_written_even_after_a_single_message()
    {
        var device = await CreateDeviceAsync("Single shot");
        var cut = Render<DeviceDetail>(ps => ps.Add(p => p.Id, device.Id));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-test=fields-empty]")));
        var latest = Services.GetRequiredService<IoTRoutes.Core.Messaging.Formats.LatestFieldValues>();
        var message = new Message
        {
            Id = Guid.CreateVersion7(), DeviceId = device.Id, Topic = $"devices/{device.Key}/up", ReceivedAt = Clock.GetUtcNow(),
            DecodedFields = [new("temperature", System.Text.Json.Nodes.JsonValue.Create(21.5), "°C")],
        };

        latest.Committed([message]); // what the intake does after its commit, which it has announced already
        await latest.FlushAsync(default);

        cut.WaitForAssertion(() => Assert.Contains("21.5", cut.Find("[data-test=latest-fields]").TextContent), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Deleting_the_device_after_confirming_removes_it_with_its_messages_and_returns_to_the_list()
    {
        var device = await CreateDeviceAsync("Retired pump");
        await StoreMessageAsync(device, """{"temp":20.5}""");
        var dialogs = Render<MudDialogProvider>();
        var snackbar = Render<MudSnackbarProvider>();
        var cut = Render<DeviceDetail>(ps => ps.Add(p => p.Id, device.Id));
        cut.WaitForAssertion(() => Assert.Contains("Retired pump", cut.Find("h1").TextContent));

        await cut.InvokeAsync(() => cut.Find("[data-test=delete-device]").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("Delete this device?", dialogs.Markup));
        await dialogs.InvokeAsync(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").Click());

        snackbar.WaitForAssertion(() => Assert.Contains("Retired pump deleted; its messages are being removed in the background.", snackbar.Markup));
        Assert.EndsWith("/devices", Services.GetRequiredService<NavigationManager>().Uri);
        await using var db = Db.CreateDbContext();
        Assert.False(await db.Devices.AnyAsync(d => d.Id == device.Id));
        Assert.Equal(0, await db.Messages.CountAsync(m => m.DeviceId == device.Id)); // no longer listed or counted...
        Assert.Equal(1, await db.Messages.IgnoreQueryFilters().CountAsync(m => m.DeviceId == device.Id)); // ...though the sweeper deletes it
    }

    [Fact]
    public async Task Cancelling_the_confirmation_keeps_the_device()
    {
        var device = await CreateDeviceAsync("Kept pump");
        var dialogs = Render<MudDialogProvider>();
        var cut = Render<DeviceDetail>(ps => ps.Add(p => p.Id, device.Id));
        cut.WaitForAssertion(() => Assert.Contains("Kept pump", cut.Find("h1").TextContent));

        await cut.InvokeAsync(() => cut.Find("[data-test=delete-device]").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("Delete this device?", dialogs.Markup));
        await dialogs.InvokeAsync(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").Click());

        dialogs.WaitForAssertion(() => Assert.DoesNotContain("Delete this device?", dialogs.Markup));
        await using var db = Db.CreateDbContext();
        Assert.True(await db.Devices.AnyAsync(d => d.Id == device.Id));
    }
}

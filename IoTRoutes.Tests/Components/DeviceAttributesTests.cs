using System.Text.Json.Nodes;
using Bunit;
using IoTRoutes.Core.Devices.Attributes;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security;
using IoTRoutes.Tests.Infrastructure;
using IoTRoutes.Web.Components.Pages.Devices;
using IoTRoutes.Web.Security;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IoTRoutes.Tests.Components;

/// <summary>The device page's Attributes card over the real attribute service.</summary>
public sealed class DeviceAttributesTests : PageTestContext
{
    [Fact]
    public async Task The_device_page_shows_the_attributes_card_with_its_empty_state()
    {
        var device = await CreateDeviceAsync("Bare");

        var cut = Render<DeviceDetail>(ps => ps.Add(p => p.Id, device.Id));

        cut.WaitForAssertion(() => Assert.Contains("No attributes yet.", cut.Find("[data-test=attributes-empty]").TextContent));
        Assert.NotNull(cut.Find("[data-test=save-attribute]"));
    }

    [Fact]
    public async Task An_attribute_added_in_the_form_is_listed_with_its_typed_value_who_set_it_and_when()
    {
        var email = await SignInAsUserAsync("facility@test.local");
        var device = await CreateDeviceAsync("Boiler");
        var snackbar = Render<MudSnackbarProvider>();
        var cut = Render<DeviceAttributes>(ps => ps.Add(p => p.DeviceId, device.Id));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-test=attributes-empty]")));

        cut.Find("[data-test=attribute-key]").Change("floor");
        cut.Find("[data-test=attribute-input]").Change("3");
        await cut.InvokeAsync(() => cut.Find("[data-test=save-attribute]").Click());

        cut.WaitForAssertion(() => Assert.Equal("floor", cut.Find("[data-test=attribute-row] td").TextContent));
        Assert.Equal("3", cut.Find("[data-test=attribute-value]").TextContent);
        Assert.Equal(email, cut.Find("[data-test=attribute-by]").TextContent);
        Assert.Contains(Clock.GetUtcNow().ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss"), cut.Find("[data-test=attribute-row]").TextContent);
        snackbar.WaitForAssertion(() => Assert.Contains("Attribute floor set.", snackbar.Markup));
        var stored = Assert.Single((await Attributes.ListAsync(device.Id, default))!);
        Assert.Equal(3.0, stored.Value!.GetValue<double>());
    }

    [Fact]
    public async Task A_bad_key_or_value_is_shown_under_its_field_and_nothing_is_stored()
    {
        var device = await CreateDeviceAsync("Strict");
        var cut = Render<DeviceAttributes>(ps => ps.Add(p => p.DeviceId, device.Id));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-test=attributes-empty]")));

        cut.Find("[data-test=attribute-key]").Change("max temp");
        cut.Find("[data-test=attribute-input]").Change("28.5");
        await cut.InvokeAsync(() => cut.Find("[data-test=save-attribute]").Click());
        cut.WaitForAssertion(() => Assert.Contains("An attribute key starts with a letter or _", cut.Markup));

        cut.Find("[data-test=attribute-key]").Change("limits");
        cut.Find("[data-test=attribute-input]").Change("""{"max":28.5}""");
        await cut.InvokeAsync(() => cut.Find("[data-test=save-attribute]").Click());
        cut.WaitForAssertion(() => Assert.Contains("not an object or a list", cut.Markup));

        Assert.Empty((await Attributes.ListAsync(device.Id, default))!);
        Assert.NotNull(cut.Find("[data-test=attributes-empty]"));
    }

    [Fact]
    public async Task Editing_fills_the_form_so_a_quoted_number_becomes_text_and_deleting_after_confirming_removes_it()
    {
        var device = await CreateDeviceAsync("Shelf");
        await Attributes.SetAsync(device.Id, "room", JsonValue.Create("12"), default);
        var dialogs = Render<MudDialogProvider>();
        var cut = Render<DeviceAttributes>(ps => ps.Add(p => p.DeviceId, device.Id));
        cut.WaitForAssertion(() => Assert.Equal("\"12\"", cut.Find("[data-test=attribute-value]").TextContent));

        await cut.InvokeAsync(() => cut.Find("[data-test=edit-attribute]").Click());
        Assert.Equal("room", cut.Find("[data-test=attribute-key]").GetAttribute("value"));
        Assert.Equal("\"12\"", cut.Find("[data-test=attribute-input]").GetAttribute("value"));
        cut.Find("[data-test=attribute-input]").Change("B12");
        await cut.InvokeAsync(() => cut.Find("[data-test=save-attribute]").Click());
        cut.WaitForAssertion(() => Assert.Equal("B12", cut.Find("[data-test=attribute-value]").TextContent));

        await cut.InvokeAsync(() => cut.Find("[data-test=delete-attribute]").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("Delete this attribute?", dialogs.Markup));
        await dialogs.InvokeAsync(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").Click());

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-test=attributes-empty]")));
        Assert.Empty((await Attributes.ListAsync(device.Id, default))!);
    }

    [Fact]
    public async Task Someone_who_may_only_view_devices_sees_the_attributes_but_no_way_to_change_them()
    {
        var device = await CreateDeviceAsync("Read only");
        await Attributes.SetAsync(device.Id, "floor", JsonValue.Create(2), default);
        Authorization.SetPolicies(Policies.DevicesView);

        var cut = Render<DeviceAttributes>(ps => ps.Add(p => p.DeviceId, device.Id));

        cut.WaitForAssertion(() => Assert.Equal("2", cut.Find("[data-test=attribute-value]").TextContent));
        Assert.Empty(cut.FindAll("[data-test=save-attribute]"));
        Assert.Empty(cut.FindAll("[data-test=edit-attribute]"));
        Assert.Empty(cut.FindAll("[data-test=delete-attribute]"));
    }

    [Fact]
    public async Task An_attribute_a_workflow_sets_appears_without_reloading()
    {
        var device = await CreateDeviceAsync("Watched");
        var cut = Render<DeviceAttributes>(ps => ps.Add(p => p.DeviceId, device.Id));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-test=attributes-empty]")));

        await Services.GetRequiredService<DeviceAttributeWriter>().SetAsync(device.Id, [new("lastTemp", "21.5")], "workflow 7", default);

        cut.WaitForAssertion(() => Assert.Equal("workflow 7", cut.Find("[data-test=attribute-by]").TextContent), TimeSpan.FromSeconds(5));
        Assert.Equal("21.5", cut.Find("[data-test=attribute-value]").TextContent);
    }

    private DeviceAttributeService Attributes => Services.GetRequiredService<DeviceAttributeService>();

    /// <summary>A stored user the services act for, so "who set it" has an address to show.</summary>
    private async Task<string> SignInAsUserAsync(string email)
    {
        var user = new User { Id = Guid.CreateVersion7(), Email = email, NormalizedEmail = email.ToUpperInvariant(), PasswordHash = "", EntityId = RootEntity.Id };
        await using (var db = Db.CreateDbContext())
        {
            db.Users.Add(user);
            await db.SaveChangesAsync();
        }

        ActAs(user.Id);
        return email;
    }
}

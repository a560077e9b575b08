using System.Text.Json.Nodes;
using Bunit;
using IoTRoutes.Core.Messaging.Formats;
using IoTRoutes.Web.Components.Pages.Formats;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IoTRoutes.Tests.Components;

public sealed class FormatsPageTests : PageTestContext
{
    private static readonly FormatDefinition Binary = new("Climate", FormatKind.Binary, ExchangeType.Telemetry, "#", null, 1,
        JsonNode.Parse("""{"fields":[{"name":"temperature","type":"S16","scale":0.01,"unit":"°C"},{"name":"humidity","type":"U8","scale":0.5}]}""")!.AsObject());

    [Fact]
    public void Without_formats_the_page_says_what_devices_do_meanwhile()
    {
        var cut = Render<Formats>();

        cut.WaitForAssertion(() => Assert.Contains("No format yet", cut.Markup));
        Assert.Contains("Devices without a profile send JSON", cut.Markup);
    }

    [Fact]
    public async Task Formats_are_listed_with_kind_version_and_test_results()
    {
        var formats = Services.GetRequiredService<FormatService>();
        await formats.CreateAsync(Binary with { TestCases = [new("warm", "08 66 61", "hex", Expected: JsonNode.Parse("""{"temperature":21.5,"humidity":48.5}""")!.AsObject())] }, default);

        var cut = Render<Formats>();

        cut.WaitForAssertion(() => Assert.Contains("Climate", cut.Find("[data-test=formats]").TextContent));
        var row = cut.Find("[data-test=formats] tbody tr").TextContent;
        Assert.Contains("Binary", row);
        Assert.Contains("v1", row);
        Assert.Contains("1 / 1 passed", row);
    }

    [Fact]
    public void The_try_it_panel_decodes_the_sample_as_it_is_typed_and_shows_where_it_fails()
    {
        var cut = Render<TryItPanel>(p => p.Add(x => x.Definition, Binary).Add(x => x.InitialSample, ("08 66 61", "hex")));

        cut.WaitForAssertion(() => Assert.Contains("21.5", cut.Find("[data-test=try-fields]").TextContent));
        Assert.Contains("°C", cut.Find("[data-test=try-fields]").TextContent);

        cut.Find("textarea[data-test=sample]").Input("08 66");
        Clock.Advance(TimeSpan.FromSeconds(1)); // MudBlazor's typing debounce runs on the registered TimeProvider

        cut.WaitForAssertion(() => Assert.Contains("\"humidity\" (u8) needs bytes 2 to 2, the payload has 2", cut.Find("[data-test=try-error]").TextContent), TimeSpan.FromSeconds(5));
        Assert.Empty(cut.FindAll("[data-test=try-fields]"));
    }

    [Fact]
    public async Task Saving_a_format_without_a_name_shows_the_field_error_and_creates_nothing()
    {
        Render<MudSnackbarProvider>();
        var cut = Render<FormatEditor>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-test=save-format]")));

        await cut.InvokeAsync(() => cut.Find("[data-test=save-format]").Click());

        cut.WaitForAssertion(() => Assert.Contains("A format needs a name.", cut.Markup), TimeSpan.FromSeconds(5));
        Assert.Empty(await Services.GetRequiredService<FormatService>().ListAsync(default));
    }
}

public sealed class ProfilesPageTests : PageTestContext
{
    [Fact]
    public void Without_profiles_the_page_says_how_to_make_one()
    {
        var cut = Render<IoTRoutes.Web.Components.Pages.Profiles.Profiles>();

        cut.WaitForAssertion(() => Assert.Contains("No profile yet", cut.Markup));
    }

    [Fact]
    public async Task Profiles_list_their_formats_in_order_and_their_devices()
    {
        var formats = Services.GetRequiredService<FormatService>();
        var lpp = (await formats.CreateAsync(new FormatDefinition("LPP", FormatKind.CayenneLpp, ExchangeType.Telemetry, "#", null, 1, []), default)).Id!.Value;
        var json = (await formats.CreateAsync(new FormatDefinition("Plain", FormatKind.Json, ExchangeType.Event, "devices/+/events", null, 1, []), default)).Id!.Value;
        var profiles = Services.GetRequiredService<IoTRoutes.Core.Messaging.Profiles.ProfileService>();
        var profile = (await profiles.CreateAsync(new IoTRoutes.Core.Messaging.Profiles.ProfileRequest("Field kit", [json, lpp], new() { ["site"] = "north" }), default)).Id!.Value;
        var device = (await Devices.CreateAsync(new IoTRoutes.Core.Devices.CreateDeviceRequest("Kit 1", ProfileId: profile), default)).Device!;

        var cut = Render<IoTRoutes.Web.Components.Pages.Profiles.Profiles>();

        cut.WaitForAssertion(() => Assert.Contains("Field kit", cut.Find("[data-test=profiles]").TextContent));
        var row = cut.Find("[data-test=profiles] tbody tr").TextContent;
        Assert.True(row.IndexOf("1. Plain", StringComparison.Ordinal) < row.IndexOf("2. LPP", StringComparison.Ordinal), row);
        Assert.Contains("site", row);
        Assert.Equal("1", cut.FindAll("[data-test=profiles] tbody tr td")[3].TextContent.Trim()); // devices using it
        Assert.Equal(profile, (await Devices.FindAsync(device.Id, default))!.ProfileId);
    }
}

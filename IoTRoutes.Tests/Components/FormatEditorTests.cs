using System.Text.Json.Nodes;
using Bunit;
using IoTRoutes.Core.Messaging.Formats;
using IoTRoutes.Web.Components.Pages.Formats;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IoTRoutes.Tests.Components;

/// <summary>The format editor's form for each kind: edits go into the settings, the try-it panel follows, saving keeps them.</summary>
public sealed class FormatEditorTests : PageTestContext
{
    private FormatService Formats => Services.GetRequiredService<FormatService>();

    private async Task<IRenderedComponent<FormatEditor>> EditAsync(FormatDefinition definition)
    {
        Render<MudSnackbarProvider>();
        var id = (await Formats.CreateAsync(definition, default)).Id!.Value;
        var cut = Render<FormatEditor>(p => p.Add(x => x.Id, id));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-test=try-it]")));
        return cut;
    }

    private static Task TabAsync(IRenderedComponent<FormatEditor> cut, string startsWith) =>
        cut.InvokeAsync(() => cut.FindAll(".mud-tab").First(t => t.TextContent.Trim().StartsWith(startsWith, StringComparison.OrdinalIgnoreCase)).Click());

    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    private JsonObject SettingsIn(IRenderedComponent<FormatEditor> cut) => Json(cut.Find("textarea[data-test=format-settings]").GetAttribute("value") ?? cut.Find("textarea[data-test=format-settings]").TextContent);

    [Fact]
    public async Task The_binary_table_shows_the_bytes_each_field_reads_and_an_edited_scale_changes_the_decoded_value()
    {
        var cut = await EditAsync(new("Climate", FormatKind.Binary, ExchangeType.Telemetry, "#", null, 1,
            Json("""{"fields":[{"name":"temperature","type":"S16","scale":0.01,"unit":"°C"},{"name":"humidity","type":"U8","scale":0.5}]}""")));
        cut.Find("textarea[data-test=sample]").Input("08 66 61 07");
        Clock.Advance(TimeSpan.FromSeconds(1));
        cut.WaitForAssertion(() => Assert.Contains("48.5", cut.Find("[data-test=try-fields]").TextContent), TimeSpan.FromSeconds(5));
        Assert.Equal(["0–1", "2"], cut.FindAll("[data-test=field-bytes]").Select(c => c.TextContent.Trim()));

        cut.FindAll("input[data-test=field-scale]")[1].Change("1");

        cut.WaitForAssertion(() => Assert.Contains("97", cut.Find("[data-test=try-fields]").TextContent), TimeSpan.FromSeconds(5));
        await cut.InvokeAsync(() => cut.Find("[data-test=binary-fields-add]").Click());
        cut.WaitForAssertion(() => Assert.Equal("3", cut.FindAll("[data-test=field-bytes]")[2].TextContent.Trim()));
        cut.FindAll("input[data-test=field-name]")[2].Change("battery");

        await cut.InvokeAsync(() => cut.Find("[data-test=save-format]").Click());

        cut.WaitForAssertion(() => Assert.Contains("v2", cut.Markup), TimeSpan.FromSeconds(5));
        var saved = (await Formats.ListAsync(default)).Single();
        Assert.Equal(2, saved.Version);
        var fields = saved.Settings["fields"]!.AsArray();
        Assert.Equal("""{"name":"humidity","type":"U8"}""", fields[1]!.ToJsonString());
        Assert.Equal("""{"name":"battery","type":"U8"}""", fields[2]!.ToJsonString());
    }

    [Fact]
    public async Task A_field_added_to_a_json_mapping_is_decoded_at_once_and_the_json_tab_shows_it()
    {
        var cut = await EditAsync(new("Plain", FormatKind.Json, ExchangeType.Telemetry, "#", null, 1, Json("""{"fields":[{"path":"$.t","name":"temperature","unit":"°C"}]}""")));
        cut.Find("textarea[data-test=sample]").Input("""{"t": 21.5, "bat": {"v": 3.61}}""");
        Clock.Advance(TimeSpan.FromSeconds(1));
        cut.WaitForAssertion(() => Assert.Contains("21.5", cut.Find("[data-test=try-fields]").TextContent), TimeSpan.FromSeconds(5));

        await cut.InvokeAsync(() => cut.Find("[data-test=json-fields-add]").Click());
        cut.FindAll("input[data-test=field-path]")[1].Change("$.bat.v");
        cut.FindAll("input[data-test=field-name]")[1].Change("battery");

        cut.WaitForAssertion(() => Assert.Contains("3.61", cut.Find("[data-test=try-fields]").TextContent), TimeSpan.FromSeconds(5));
        await TabAsync(cut, "JSON");
        Assert.Equal("""[{"path":"$.t","name":"temperature","unit":"°C"},{"path":"$.bat.v","name":"battery"}]""",
            SettingsIn(cut)["fields"]!.ToJsonString(new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    [Fact]
    public async Task Settings_typed_in_the_json_tab_come_back_into_the_form()
    {
        var cut = await EditAsync(new("Csv", FormatKind.Delimited, ExchangeType.Telemetry, "#", null, 1, Json("""{"style":"Csv","separator":",","columns":[{"name":"a","index":0}]}""")));

        await TabAsync(cut, "JSON");
        cut.Find("textarea[data-test=format-settings]").Input("""{"style":"Csv","separator":";","columns":[{"name":"a","index":0},{"name":"b","index":1,"unit":"V"}]}""");
        Clock.Advance(TimeSpan.FromSeconds(1));

        cut.WaitForAssertion(() => Assert.Contains("b", SettingsIn(cut).ToJsonString()), TimeSpan.FromSeconds(5));
        await TabAsync(cut, "Fields");
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-test=delimited-columns] tbody tr").Count), TimeSpan.FromSeconds(5));
        Assert.Contains("V", cut.FindAll("[data-test=delimited-columns] tbody tr")[1].InnerHtml);
    }

    [Fact]
    public async Task Settings_of_the_wrong_types_typed_in_the_json_tab_do_not_break_the_form_and_are_reported()
    {
        var cut = await EditAsync(new("Frame", FormatKind.Binary, ExchangeType.Telemetry, "#", null, 1, Json("""{"fields":[{"name":"a","type":"U8"}]}""")));

        await TabAsync(cut, "JSON");
        cut.Find("textarea[data-test=format-settings]").Input("""{"fields":[{"name":2,"type":"U8","enum":{"0":1}},{"name":"b","type":7}]}""");
        Clock.Advance(TimeSpan.FromSeconds(1));
        await TabAsync(cut, "Fields");

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-test=binary-fields] tbody tr").Count), TimeSpan.FromSeconds(5));
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-test=try-error]")), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_sample_saved_as_a_test_case_passes_is_saved_with_the_format_and_fails_when_the_layout_changes()
    {
        var cut = await EditAsync(new("Climate", FormatKind.Binary, ExchangeType.Telemetry, "#", null, 1,
            Json("""{"fields":[{"name":"temperature","type":"S16","scale":0.01},{"name":"humidity","type":"U8","scale":0.5}]}""")));
        cut.Find("textarea[data-test=sample]").Input("08 66 61");
        Clock.Advance(TimeSpan.FromSeconds(1));
        cut.WaitForAssertion(() => Assert.Contains("48.5", cut.Find("[data-test=try-fields]").TextContent), TimeSpan.FromSeconds(5));

        await cut.InvokeAsync(() => cut.Find("[data-test=save-test-case]").Click());

        cut.WaitForAssertion(() => Assert.Contains("1 of 1 passing", cut.Find("[data-test=test-summary]").TextContent), TimeSpan.FromSeconds(5));
        await cut.InvokeAsync(() => cut.Find("[data-test=save-format]").Click());
        cut.WaitForAssertion(() => Assert.Equal(2, Formats.ListAsync(default).Result.Single().Version), TimeSpan.FromSeconds(5));
        var test = Assert.Single((await Formats.ListAsync(default)).Single().TestCases);
        Assert.Equal(("Case 1", "08 66 61", "hex"), (test.Name, test.Input, test.Encoding));
        Assert.Equal("""{"temperature":21.5,"humidity":48.5}""", test.Expected!.ToJsonString());

        await TabAsync(cut, "Fields");
        cut.FindAll("input[data-test=field-scale]")[1].Change("1");
        await TabAsync(cut, "Test cases");

        cut.WaitForAssertion(() => Assert.Contains("0 of 1 passing", cut.Find("[data-test=test-summary]").TextContent), TimeSpan.FromSeconds(5));
        Assert.Contains("humidity", cut.Find("[data-test=test-problem]").TextContent);
        await cut.InvokeAsync(() => cut.Find("[data-test=save-format]").Click());
        cut.WaitForAssertion(() => Assert.Contains("Test case \"Case 1\" fails", cut.Find("[data-test=format-error]").TextContent), TimeSpan.FromSeconds(5));
        Assert.Equal(2, (await Formats.ListAsync(default)).Single().Version);
    }

    [Fact]
    public async Task A_command_format_opens_the_panel_on_encoding_and_shows_the_bytes()
    {
        var cut = await EditAsync(new("Setpoint", FormatKind.Binary, ExchangeType.Command, "#", null, 2,
            Json("""{"fields":[{"name":"setpoint","type":"S16","scale":0.01}]}""")));

        cut.WaitForAssertion(() => Assert.Equal("0866", cut.Find("[data-test=encode-hex]").TextContent.Trim()), TimeSpan.FromSeconds(5));

        cut.Find("textarea[data-test=encode-data]").Input("""{"setpoint": "warm"}""");
        Clock.Advance(TimeSpan.FromSeconds(1));
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-test=encode-error]")), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_script_format_gets_the_code_editor_and_its_limits_and_cayenne_shows_its_table()
    {
        var cut = await EditAsync(new("Codec", FormatKind.Script, ExchangeType.Telemetry, "#", null, 1,
            Json("""{"script":"function decodeUplink(input) { return { data: { n: input.bytes.length } }; }"}""")));
        cut.Find("textarea[data-test=sample]").Input("01 02 03");
        Clock.Advance(TimeSpan.FromSeconds(1));

        cut.WaitForAssertion(() => Assert.Contains("3", cut.Find("[data-test=try-fields]").TextContent), TimeSpan.FromSeconds(5));
        Assert.NotNull(cut.Find("[data-test=script-editor]"));
        Assert.NotNull(cut.Find("[data-test=script-limits]"));

        var lpp = Render<FormatEditor>(p => p.Add(x => x.Id, Formats.CreateAsync(new("LPP", FormatKind.CayenneLpp, ExchangeType.Telemetry, "#", null, 1, []), default).Result.Id));
        lpp.WaitForAssertion(() => Assert.Contains("temperature", lpp.Find("[data-test=cayenne-table]").TextContent));
        Assert.Contains("0x67", lpp.Find("[data-test=cayenne-table]").TextContent);
    }
}

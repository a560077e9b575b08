using Bunit;
using IoTRoutes.Core.Messaging.Formats;
using IoTRoutes.Web.Components.Pages.Formats;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IoTRoutes.Tests.Components;

public sealed class ImportCodecDialogTests : PageTestContext
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "DeviceRepository", name));

    [Fact]
    public async Task Uploading_a_codec_and_its_file_opens_the_new_formats_editor_and_says_how_many_examples_passed()
    {
        var snackbars = Render<MudSnackbarProvider>();
        var dialogs = await OpenDialogAsync();

        var uploads = dialogs.FindComponents<InputFile>();
        await dialogs.InvokeAsync(() => uploads[0].UploadFiles(InputFileContent.CreateFromText(Fixture("thp-1.js"), "thp-1.js")));
        await dialogs.InvokeAsync(() => uploads[1].UploadFiles(InputFileContent.CreateFromText(Fixture("thp-1-codec.yaml"), "thp-1-codec.yaml")));
        dialogs.WaitForAssertion(() => Assert.Contains("uplinkDecoder:", dialogs.Find("textarea[data-test=import-yaml]").GetAttribute("value") ?? dialogs.Find("textarea[data-test=import-yaml]").TextContent));
        await dialogs.InvokeAsync(() => dialogs.Find("[data-test=import-codec]").Click());

        var navigation = Services.GetRequiredService<NavigationManager>();
        var format = Assert.Single(await Services.GetRequiredService<FormatService>().ListAsync(default));
        dialogs.WaitForAssertion(() => Assert.EndsWith($"/formats/{format.Id}", navigation.Uri));
        Assert.Equal(("thp-1", FormatKind.Script, 4), (format.Name, format.Kind, format.TestResults.Count(r => r.Passed)));
        snackbars.WaitForAssertion(() => Assert.Contains("Codec imported as thp-1: 4 of 4 examples passed.", snackbars.Markup));
    }

    [Fact]
    public async Task A_codec_file_that_cannot_be_read_is_shown_on_its_field_and_nothing_is_created()
    {
        var dialogs = await OpenDialogAsync();

        await dialogs.InvokeAsync(() => dialogs.Find("textarea[data-test=import-script]").Change(Fixture("thp-1.js")));
        await dialogs.InvokeAsync(() => dialogs.Find("textarea[data-test=import-yaml]").Change("uplinkDecoder:\n  examples:\n    - input: {fPort: 2, bytes: [0x1FF]}\n      output: {data: {}}\n"));
        await dialogs.InvokeAsync(() => dialogs.Find("[data-test=import-codec]").Click());

        dialogs.WaitForAssertion(() => Assert.Contains("uplinkDecoder.examples[0].input.bytes[0]: 511 is not a byte (0 to 255).",
            dialogs.Find("textarea[data-test=import-yaml]").Closest(".mud-input-control")!.TextContent));
        Assert.Empty(await Services.GetRequiredService<FormatService>().ListAsync(default));
    }

    [Fact]
    public async Task An_example_that_fails_is_listed_with_why_and_nothing_is_created()
    {
        var dialogs = await OpenDialogAsync();

        await dialogs.InvokeAsync(() => dialogs.Find("textarea[data-test=import-script]").Change(Fixture("thp-1.js")));
        await dialogs.InvokeAsync(() => dialogs.Find("textarea[data-test=import-yaml]").Change(Fixture("thp-1-codec.yaml").Replace("temperature: -5", "temperature: -4")));
        await dialogs.InvokeAsync(() => dialogs.Find("[data-test=import-codec]").Click());

        dialogs.WaitForAssertion(() => Assert.Contains("Below zero, bytes in decimal", dialogs.Find("[data-test=import-error]").TextContent));
        Assert.Contains("Expected {\"temperature\":-4}, got {\"temperature\":-5}", dialogs.Find("[data-test=import-error]").TextContent);
        Assert.Empty(await Services.GetRequiredService<FormatService>().ListAsync(default));
    }

    private async Task<IRenderedComponent<MudDialogProvider>> OpenDialogAsync()
    {
        var dialogs = Render<MudDialogProvider>();
        var page = Render<Formats>();
        page.WaitForAssertion(() => Assert.Contains("No format yet", page.Markup));
        await page.InvokeAsync(() => page.Find("[data-test=import-codec-open]").Click());
        dialogs.WaitForAssertion(() => Assert.NotNull(dialogs.Find("[data-test=import-codec]")));
        return dialogs;
    }
}

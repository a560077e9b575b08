using System.Text;
using Bunit;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Entities;
using IoTRoutes.Web.Components.Pages.Devices;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IoTRoutes.Tests.Components;

/// <summary>Import CSV on the Devices page, over the real import service: a preview with each row's errors, then all devices, their credentials once.</summary>
public sealed class ImportDevicesDialogTests : PageTestContext
{
    [Fact]
    public async Task A_file_with_errors_shows_each_rows_error_and_cannot_be_created()
    {
        var dialogs = await OpenAsync();

        await PasteAsync(dialogs, "name,entity\nPump 1,\n,\nPump 2,Atlantis\n");
        await dialogs.InvokeAsync(() => dialogs.Find("[data-test=import-check]").Click());

        dialogs.WaitForAssertion(() => Assert.Equal(3, dialogs.FindAll("[data-test=import-row]").Count));
        Assert.Equal(["Give the device a name.", "There is no entity named Atlantis."], dialogs.FindAll("[data-test=import-row-error]").Select(e => e.TextContent.Trim()));
        Assert.Equal("2 of 3 row(s) have errors: correct the file and check again.", dialogs.Find("[data-test=import-summary]").TextContent.Trim());
        Assert.True(dialogs.Find("[data-test=import-create]").HasAttribute("disabled"));
        Assert.Empty(await Devices.ListAsync(default));
    }

    [Fact]
    public async Task A_chosen_file_is_checked_at_once_and_created_with_its_credentials_to_download()
    {
        var dialogs = await OpenAsync();

        await dialogs.InvokeAsync(() => dialogs.FindComponent<InputFile>().UploadFiles(
            InputFileContent.CreateFromText($"name,entity\nValve 1,{RootEntity.Name}\nValve 2,\n", "devices.csv", contentType: "text/csv")));
        dialogs.WaitForAssertion(() => Assert.Equal("2 device(s) ready to create.", dialogs.Find("[data-test=import-summary]").TextContent.Trim()));
        await dialogs.InvokeAsync(() => dialogs.Find("[data-test=import-create]").Click());

        dialogs.WaitForAssertion(() => Assert.NotNull(dialogs.Find("[data-test=import-done]")));
        var devices = await Devices.ListAsync(default);
        Assert.Equal(["Valve 1", "Valve 2"], devices.Select(d => d.Name));
        var href = dialogs.Find("[data-test=download-credentials]").GetAttribute("href")!;
        Assert.StartsWith("data:text/csv;charset=utf-8;base64,", href);
        var csv = Encoding.UTF8.GetString(Convert.FromBase64String(href[(href.IndexOf(',') + 1)..])).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("name,key,secret,entity,profile,id", csv[0]);
        Assert.Equal(devices.Select(d => d.Key).Order(), csv.Skip(1).Select(l => l.Split(',')[1]).Order());
        var valve = csv.Skip(1).Select(l => l.Split(',')).Single(f => f[0] == "Valve 1");
        Assert.True(await Services.GetRequiredService<DeviceCredentialValidator>().ValidateAsync(valve[1], valve[2], default) is not null);
    }

    [Fact]
    public async Task Changing_the_text_after_a_check_disables_create_until_it_is_checked_again()
    {
        var dialogs = await OpenAsync();
        await PasteAsync(dialogs, "name\nA\n");
        await dialogs.InvokeAsync(() => dialogs.Find("[data-test=import-check]").Click());
        dialogs.WaitForAssertion(() => Assert.False(dialogs.Find("[data-test=import-create]").HasAttribute("disabled")));

        await PasteAsync(dialogs, "name\nA\nB\n");

        dialogs.WaitForAssertion(() => Assert.True(dialogs.Find("[data-test=import-create]").HasAttribute("disabled")));
        Assert.Empty(dialogs.FindAll("[data-test=import-row]"));
    }

    private async Task<IRenderedComponent<MudDialogProvider>> OpenAsync()
    {
        var dialogs = Render<MudDialogProvider>();
        var page = Render<IoTRoutes.Web.Components.Pages.Devices.Devices>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-test=import-devices]")));
        await page.InvokeAsync(() => page.Find("[data-test=import-devices]").Click());
        dialogs.WaitForAssertion(() => Assert.NotNull(dialogs.Find("[data-test=import-check]")));
        return dialogs;
    }

    private static Task PasteAsync(IRenderedComponent<MudDialogProvider> dialogs, string text) =>
        dialogs.InvokeAsync(() => dialogs.Find("textarea[data-test=import-csv]").Change(text));
}

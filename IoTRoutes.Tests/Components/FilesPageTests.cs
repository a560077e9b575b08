using System.Text;
using Bunit;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Files;
using IoTRoutes.Web.Components.Pages.Files;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IoTRoutes.Tests.Components;

public sealed class FilesPageTests : PageTestContext
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

    [Fact]
    public void Without_files_the_page_says_where_they_come_from()
    {
        var cut = Render<Files>();

        cut.WaitForAssertion(() => Assert.Contains("No files yet", cut.Markup));
        Assert.Contains("planned jobs' reports and devices' media land here", cut.Markup);
        Assert.Contains("Up to 25 MiB a file", cut.Markup);
    }

    [Fact]
    public async Task Files_are_listed_with_kind_type_size_entity_device_and_an_image_preview()
    {
        var camera = await CreateDeviceAsync("Gate camera");
        var saver = Services.GetRequiredService<FileSaver>();
        var media = (await saver.SaveAsync(new NewFile(RootEntity.Id, "gate.png", FileKind.Media, "device Gate camera", DeviceId: camera.Id),
            new MemoryStream(Png), default)).File!;
        var report = (await saver.SaveAsync(new NewFile(RootEntity.Id, "week 48.csv", FileKind.Report, "job Weekly report"),
            new MemoryStream(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("a,b\n", 600)))), default)).File!;

        var cut = Render<Files>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-test=files] tbody tr").Count));
        var rows = cut.FindAll("[data-test=files] tbody tr");
        Assert.Contains("week 48.csv", rows[0].TextContent); // newest first
        Assert.Contains("text/csv", rows[0].TextContent);
        Assert.Contains("2.3 KiB", rows[0].TextContent);
        Assert.Contains("job Weekly report", rows[0].TextContent);
        Assert.Contains("Gate camera", rows[1].TextContent);
        Assert.Equal($"files/{media.Id}/download", rows[1].QuerySelector("[data-test=preview]")!.GetAttribute("src"));
        Assert.Null(rows[0].QuerySelector("[data-test=preview]"));
        Assert.Equal($"files/{report.Id}/download", rows[0].QuerySelector("[data-test=download]")!.GetAttribute("href"));
    }

    [Fact]
    public void An_uploaded_file_is_listed_and_a_lying_one_is_refused_with_the_reason()
    {
        Render<MudSnackbarProvider>();
        var cut = Render<Files>();
        cut.WaitForAssertion(() => Assert.Contains("No files yet", cut.Markup));

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("not an image", "holiday.png", contentType: "image/png"));
        cut.WaitForAssertion(() => Assert.Contains("named as a PNG image, but its content is plain text", cut.Find("[data-test=upload-error]").TextContent));

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("t,v\n1,2\n", "readings.csv", contentType: "text/csv"));
        cut.WaitForAssertion(() => Assert.Contains("readings.csv", cut.Find("[data-test=files]").TextContent));
        Assert.Empty(cut.FindAll("[data-test=upload-error]"));
        Assert.Empty(cut.FindAll("[data-test=upload-progress]"));
    }

    [Fact]
    public async Task Deleting_asks_first_then_removes_the_file()
    {
        var file = (await Services.GetRequiredService<FileSaver>().SaveAsync(
            new NewFile(RootEntity.Id, "old.txt", FileKind.Upload, "me"), new MemoryStream("old"u8.ToArray()), default)).File!;
        var dialogs = Render<MudDialogProvider>();
        Render<MudSnackbarProvider>();
        var cut = Render<Files>();
        cut.WaitForAssertion(() => Assert.Contains("old.txt", cut.Markup));

        await cut.InvokeAsync(() => cut.Find("[data-test=delete]").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("Delete old.txt?", dialogs.Markup));
        Assert.NotNull(await Services.GetRequiredService<FileService>().FindAsync(file.Id, default));
        await dialogs.InvokeAsync(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").Click());

        cut.WaitForAssertion(() => Assert.Contains("No files yet", cut.Markup));
        Assert.Null(await Services.GetRequiredService<FileService>().FindAsync(file.Id, default));
    }
}

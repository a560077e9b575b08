using Bunit;
using IoTRoutes.Web.Components.Pages.Brokers;
using IoTRoutes.Web.Components.Pages.Devices;
using IoTRoutes.Web.Components.Pages.Profiles;
using IoTRoutes.Web.Components.Pages.Workflows;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace IoTRoutes.Tests.Components;

/// <summary>
/// A create dialog opens without red errors. In the browser the dialog's focus trap takes the focus from the field that
/// autofocused, which used to validate the untouched required field ("Required" in red before anything was typed).
/// </summary>
public sealed class CreateDialogValidationTests : PageTestContext
{
    public static TheoryData<string> Dialogs => ["devices", "brokers", "workflows", "profiles"];

    [Theory]
    [MemberData(nameof(Dialogs))]
    public async Task A_create_dialog_shows_no_error_before_anything_is_typed(string page)
    {
        var dialogs = Render<MudDialogProvider>();
        Render<MudPopoverProvider>();
        await OpenCreateDialogAsync(page);
        dialogs.WaitForAssertion(() => Assert.NotEmpty(dialogs.FindAll(".mud-dialog input")));
        await dialogs.InvokeAsync(() => dialogs.FindAll(".mud-dialog input")[0].Blur()); // the focus trap taking the focus

        Assert.Empty(dialogs.FindAll(".mud-dialog .mud-input-error"));
        Assert.DoesNotContain("Required", dialogs.Find(".mud-dialog").TextContent);
    }

    [Fact]
    public async Task The_device_name_is_still_asked_for_when_create_is_pressed_without_one()
    {
        var dialogs = Render<MudDialogProvider>();
        var cut = Render<Devices>();
        cut.WaitForAssertion(() => Assert.Contains("No devices yet", cut.Markup));

        await cut.InvokeAsync(() => cut.Find("[data-test=new-device]").Click());
        dialogs.WaitForAssertion(() => Assert.NotEmpty(dialogs.FindAll(".mud-dialog input")));
        await dialogs.InvokeAsync(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Create").Click());

        dialogs.WaitForAssertion(() => Assert.Contains("Give the device a name.", dialogs.Find(".mud-dialog").TextContent));
        Assert.Empty(await Devices.ListAsync(default));
    }

    [Fact]
    public async Task Typing_and_clearing_a_required_name_shows_the_error()
    {
        var dialogs = Render<MudDialogProvider>();
        var cut = Render<Brokers>();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-test=add-broker]")));

        await cut.InvokeAsync(() => cut.Find("[data-test=add-broker]").Click());
        dialogs.WaitForAssertion(() => Assert.NotEmpty(dialogs.FindAll("input[data-test=broker-name]")));
        await dialogs.InvokeAsync(() => dialogs.Find("input[data-test=broker-name]").Change("Lab"));
        await dialogs.InvokeAsync(() => dialogs.Find("input[data-test=broker-name]").Change(""));
        await dialogs.InvokeAsync(() => dialogs.Find("input[data-test=broker-name]").Blur());

        dialogs.WaitForAssertion(() => Assert.Contains("Required", dialogs.Find(".mud-dialog").TextContent));
    }

    private Task OpenCreateDialogAsync(string page) => page switch
    {
        "devices" => ClickCreateAsync(Render<Devices>()),
        "brokers" => ClickCreateAsync(Render<Brokers>()),
        "workflows" => ClickCreateAsync(Render<Workflows>()),
        "profiles" => ClickCreateAsync(Render<Profiles>()),
        _ => throw new ArgumentOutOfRangeException(nameof(page)),
    };

    private static async Task ClickCreateAsync<T>(IRenderedComponent<T> cut) where T : IComponent
    {
        static bool IsCreate(AngleSharp.Dom.IElement b) => b.TextContent.Trim() is "New device" or "Add broker" or "New workflow" or "New profile";
        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll("button"), IsCreate));
        await cut.InvokeAsync(() => cut.FindAll("button").First(IsCreate).Click());
    }
}

using Bunit;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Tests.Infrastructure;
using IoTRoutes.Web.Components.Pages.Roles;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;

namespace IoTRoutes.Tests.Components;

public sealed class RolesPageTests : PageTestContext
{
    private RoleService Roles => Services.GetRequiredService<RoleService>();

    [Fact]
    public void The_matrix_shows_every_secured_object_with_its_level_and_actions()
    {
        var cut = Render<IoTRoutes.Web.Components.Pages.Roles.Roles>();

        cut.WaitForAssertion(() => Assert.Equal(Enum.GetValues<SecuredObject>().Length, cut.FindAll("[data-test=role-matrix] tbody tr").Count));
        Assert.Equal(["Administrator", "Client", "Operator"], cut.FindAll("[data-test=role-item]").Select(e => e.TextContent.Split("built-in")[0].Trim()));
        Assert.Contains("always allows everything", cut.Markup); // Administrator is selected first and read-only
        Assert.True(CheckBox(cut, "ResetPassword").Instance.GetState(x => x.Value));
    }

    [Fact]
    public async Task Editing_a_role_in_the_matrix_saves_its_levels_and_actions()
    {
        Render<MudSnackbarProvider>();
        var cut = Render<IoTRoutes.Web.Components.Pages.Roles.Roles>();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-test=role-item]")));

        await cut.InvokeAsync(() => cut.FindComponent<MudList<Guid>>().Instance.SelectedValueChanged.InvokeAsync(BuiltInRoles.ClientId));
        cut.WaitForAssertion(() => Assert.Equal("Client", cut.FindComponents<MudTextField<string>>()[0].Instance.GetState(x => x.Value)));
        await cut.InvokeAsync(() => cut.FindAll("[data-test=row-Users] button").Single(b => b.TextContent.Trim() == "View").Click());
        await cut.InvokeAsync(() => CheckBox(cut, "Export").Instance.ValueChanged.InvokeAsync(true));
        await cut.InvokeAsync(() => cut.Find("[data-test=save-role]").Click());

        var client = await Eventually.GetAsync(async () =>
            (await Roles.FindAsync(BuiltInRoles.ClientId, default)) is { } r && r.Grants.ContainsKey(SecuredObject.Users) ? r : null, "the role to be saved");
        Assert.Equal(AccessLevel.View, client.Grants[SecuredObject.Users]);
        Assert.Equal(AccessLevel.View, client.Grants[SecuredObject.Devices]); // untouched rows keep their level
        Assert.Contains(SecuredActions.MessagesExport.Key, client.Actions);
        Assert.Contains(SecuredActions.DevicesSendCommand.Key, client.Actions);
    }

    private static IRenderedComponent<MudCheckBox<bool>> CheckBox(IRenderedComponent<IoTRoutes.Web.Components.Pages.Roles.Roles> cut, string action) =>
        cut.FindComponents<MudCheckBox<bool>>().Single(c => c.Instance.Label == action);

    [Fact]
    public async Task A_new_role_without_a_name_is_refused_with_the_message_under_the_field()
    {
        var cut = Render<IoTRoutes.Web.Components.Pages.Roles.Roles>();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-test=role-item]")));

        await cut.InvokeAsync(() => cut.Find("[data-test=new-role]").Click());
        await cut.InvokeAsync(() => cut.Find("[data-test=save-role]").Click());

        cut.WaitForAssertion(() => Assert.Contains("Give the role a name.", cut.Markup));
        Assert.Equal(3, (await Roles.ListAsync(default)).Count);
    }
}

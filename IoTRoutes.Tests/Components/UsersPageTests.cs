using Bunit;
using IoTRoutes.Core.Security;
using IoTRoutes.Web.Components.Pages.Users;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IoTRoutes.Tests.Components;

public sealed class UsersPageTests : PageTestContext
{
    private UserService UserService => Services.GetRequiredService<UserService>();

    [Fact]
    public async Task Users_are_listed_with_entity_roles_and_status()
    {
        await UserService.CreateAsync(new CreateUserRequest("grower@example.com", "grower-pass-1", null, ["Client"]), default);
        var ops = (await UserService.CreateAsync(new CreateUserRequest("ops@example.com", "operator-pass-1", null, ["Operator"]), default)).Id!.Value;
        await UserService.UpdateAsync(ops, new UpdateUserRequest(null, null, true), default);

        var cut = Render<Users>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-test=users-table] tbody tr").Count));
        var rows = cut.FindAll("[data-test=users-table] tbody tr").Select(r => r.TextContent).ToList();
        Assert.Contains(rows, r => r.Contains("grower@example.com") && r.Contains("Platform") && r.Contains("Client") && r.Contains("Active"));
        Assert.Contains(rows, r => r.Contains("ops@example.com") && r.Contains("Operator") && r.Contains("Disabled"));
    }

    [Fact]
    public async Task Creating_a_user_in_the_dialog_shows_field_errors_then_adds_the_user()
    {
        var dialogs = Render<MudDialogProvider>();
        Render<MudSnackbarProvider>();
        var cut = Render<Users>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-test=new-user]")));

        await cut.InvokeAsync(() => cut.Find("[data-test=new-user]").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("Initial password", dialogs.Markup));
        var inputs = dialogs.FindAll("input");
        inputs[0].Input("not-an-email");
        await dialogs.InvokeAsync(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Create").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("Enter a valid e-mail address.", dialogs.Markup));

        dialogs.FindAll("input")[0].Input("new.user@example.com");
        dialogs.FindAll("input")[1].Input("new-user-pass-1");
        await dialogs.InvokeAsync(() => dialogs.FindComponents<MudCheckBox<bool>>().Single(c => c.Instance.Label == "Client").Instance.ValueChanged.InvokeAsync(true));
        await dialogs.InvokeAsync(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Create").Click());

        cut.WaitForAssertion(() => Assert.Contains("new.user@example.com", cut.Find("[data-test=users-table]").TextContent));
        var created = Assert.Single(await UserService.ListAsync(default));
        Assert.Equal(["Client"], created.Roles);
    }
}

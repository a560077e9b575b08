using Bunit;
using IoTRoutes.Core.Communicators;
using IoTRoutes.Web.Components.Pages.Communicators;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IoTRoutes.Tests.Components;

public sealed class CommunicatorsPageTests : PageTestContext
{
    private CommunicatorService Communicators => Services.GetRequiredService<CommunicatorService>();

    [Fact]
    public async Task A_mail_server_is_added_with_the_errors_shown_on_their_fields_first_and_its_password_never_rendered()
    {
        var dialogs = Render<MudDialogProvider>();
        var cut = Render<IoTRoutes.Web.Components.Pages.Communicators.Communicators>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-test=no-communicators]")));

        await cut.InvokeAsync(() => cut.Find("[data-test=add-communicator]").Click());
        dialogs.WaitForAssertion(() => Assert.NotNull(dialogs.Find("[data-test=save-communicator]")));
        dialogs.Find("input[data-test=communicator-name]").Change("Plant mail");
        dialogs.Find("input[data-test=field-port]").Change("99999");
        await dialogs.InvokeAsync(() => dialogs.Find("[data-test=save-communicator]").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("A host is required", dialogs.Markup));
        Assert.Empty(await Communicators.ListAsync(default));

        dialogs.Find("input[data-test=field-host]").Change("smtp.plant.example");
        dialogs.Find("input[data-test=field-port]").Change("587");
        dialogs.Find("input[data-test=field-username]").Change("alerts");
        dialogs.Find("input[data-test=field-password]").Change("pa55-w0rd-xyz");
        dialogs.Find("input[data-test=field-sender]").Change("iot@plant.example");
        await dialogs.InvokeAsync(() => dialogs.Find("[data-test=save-communicator]").Click());

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-test=communicators] tbody tr")));
        var saved = Assert.Single(await Communicators.ListAsync(default));
        Assert.Equal((CommunicatorKind.Smtp, "smtp.plant.example", "password"), (saved.Kind, saved.Settings["host"]!.GetValue<string>(), string.Join(",", saved.SecretsSet)));
        Assert.Contains("smtp.plant.example:587", cut.Markup);
        Assert.Contains("never", cut.Find("[data-test=last-use]").TextContent);

        // Editing shows that a password is set, never the password.
        await cut.InvokeAsync(() => cut.Find("button[aria-label=Edit]").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("set: leave empty to keep it", dialogs.Markup));
        Assert.DoesNotContain("pa55-w0rd-xyz", dialogs.Markup + cut.Markup);
    }
}

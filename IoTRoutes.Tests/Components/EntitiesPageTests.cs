using Bunit;
using IoTRoutes.Core.Entities;
using IoTRoutes.Web.Components.Pages.Entities;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IoTRoutes.Tests.Components;

public sealed class EntitiesPageTests : PageTestContext
{
    private EntityService EntityService => Services.GetRequiredService<EntityService>();

    [Fact]
    public async Task The_tree_shows_every_entity_under_its_parent()
    {
        var acme = (await EntityService.CreateAsync(new CreateEntityRequest("Acme", EntityType.Organisation), default)).Id!.Value;
        await EntityService.CreateAsync(new CreateEntityRequest("Client X", EntityType.Customer, acme), default);

        var cut = Render<Entities>();

        cut.WaitForAssertion(() => Assert.Contains("Client X", cut.Find("[data-test=entity-tree]").TextContent));
        Assert.Contains("Acme", cut.Find("[data-test=entity-tree]").TextContent);
        Assert.Equal("Platform", cut.Find("[data-test=entity-name]").TextContent.Trim());
    }

    [Fact]
    public async Task Adding_a_sub_entity_through_the_dialog_puts_it_in_the_tree()
    {
        var dialogs = Render<MudDialogProvider>();
        var cut = Render<Entities>();
        cut.WaitForAssertion(() => Assert.Contains("Platform", cut.Markup));

        await cut.InvokeAsync(() => cut.FindAll("button").Single(b => b.TextContent.Contains("Add sub-entity")).Click());
        dialogs.WaitForAssertion(() => Assert.Contains("New entity below Platform", dialogs.Markup));
        await dialogs.InvokeAsync(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Create").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("Give the entity a name.", dialogs.Markup));

        dialogs.Find("input").Input("Beta Utilities");
        await dialogs.InvokeAsync(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Create").Click());

        cut.WaitForAssertion(() => Assert.Contains("Beta Utilities", cut.Find("[data-test=entity-tree]").TextContent));
        Assert.Contains(await EntityService.ListAsync(default), e => e.Name == "Beta Utilities" && e.Type == EntityType.Customer);
    }

    [Fact]
    public async Task Deleting_an_entity_with_something_attached_says_why_it_is_refused()
    {
        var acme = (await EntityService.CreateAsync(new CreateEntityRequest("Acme", EntityType.Organisation), default)).Id!.Value;
        await EntityService.CreateAsync(new CreateEntityRequest("Client X", EntityType.Customer, acme), default);
        var dialogs = Render<MudDialogProvider>();
        var snackbar = Render<MudSnackbarProvider>();
        var cut = Render<Entities>();
        cut.WaitForAssertion(() => Assert.Contains("Acme", cut.Markup));

        await cut.InvokeAsync(() => cut.FindComponents<MudTreeView<Guid>>().First().Instance.SelectedValueChanged.InvokeAsync(acme));
        cut.WaitForAssertion(() => Assert.Equal("Acme", cut.Find("[data-test=entity-name]").TextContent.Trim()));
        await cut.InvokeAsync(() => cut.Find("[data-test=delete-entity]").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("Delete Acme?", dialogs.Markup));
        await dialogs.InvokeAsync(() => dialogs.FindAll("button").First(b => b.TextContent.Trim() == "Delete").Click());

        snackbar.WaitForAssertion(() => Assert.Contains("Acme still has 1 sub-entities: move or delete them first.", snackbar.Markup));
        Assert.NotNull(await EntityService.FindAsync(acme, default));
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Bunit;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Workflows.Definitions;
using IoTRoutes.Tests.Infrastructure;
using IoTRoutes.Web.Components.Pages.Workflows;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IoTRoutes.Tests.Components;

/// <summary>Import on the Workflows list, over the real WorkflowService: a document chosen or pasted becomes a new draft.</summary>
public sealed class ImportWorkflowDialogTests : PageTestContext
{
    private const string HotRooms = """
        {"nodes":[{"id":"in","type":"OnMessage"},{"id":"hot","type":"Filter","name":"Hot?","settings":{"condition":"temp > 30"}},{"id":"log","type":"Log","settings":{"message":"hot"}}],
         "links":[{"from":"in","to":"hot"},{"from":"hot","fromPort":"true","to":"log"}]}
        """;

    private WorkflowService Workflows => Services.GetRequiredService<WorkflowService>();

    [Fact]
    public async Task A_text_that_is_not_json_is_refused_on_the_document_field_and_nothing_is_made()
    {
        var dialogs = await OpenAsync();

        await dialogs.InvokeAsync(() => dialogs.Find("textarea[data-test=import-document]").Change("""{"format": "iotroutes-workflow", """));
        await dialogs.InvokeAsync(() => dialogs.Find("[data-test=import-workflow]").Click());

        dialogs.WaitForAssertion(() => Assert.StartsWith("Not JSON:", DocumentFieldError(dialogs)));
        Assert.Empty(await Workflows.ListAsync(default));
    }

    [Fact]
    public async Task Nothing_chosen_or_pasted_says_what_to_give()
    {
        var dialogs = await OpenAsync();

        await dialogs.InvokeAsync(() => dialogs.Find("[data-test=import-workflow]").Click());

        dialogs.WaitForAssertion(() => Assert.Equal("Choose the exported file or paste its text.", DocumentFieldError(dialogs)));
    }

    [Fact]
    public async Task The_services_errors_are_listed_at_their_place_in_the_document_and_nothing_is_made()
    {
        var document = await ExportedAsync();
        document["definition"]!["nodes"]![1]!["type"] = "Teleport";
        document["definition"]!["nodes"]![2]!["id"] = 42;
        var dialogs = await OpenAsync();

        await PasteAsync(dialogs, document.ToJsonString());
        await dialogs.InvokeAsync(() => dialogs.Find("[data-test=import-workflow]").Click());

        // The id is the reader's error; with it fixed, the unknown type is the service's (it knows the catalog).
        dialogs.WaitForAssertion(() => Assert.Contains("document.definition.nodes[2].id", dialogs.Find("[data-test=import-problems]").TextContent));
        document["definition"]!["nodes"]![2]!["id"] = "log";
        await PasteAsync(dialogs, document.ToJsonString());
        await dialogs.InvokeAsync(() => dialogs.Find("[data-test=import-workflow]").Click());
        dialogs.WaitForAssertion(() => Assert.Equal(
            "The document cannot be imported: document.definition.nodes[1].type: Unknown node type Teleport: this server has no such action.",
            Normalized(dialogs.Find("[data-test=import-problems]").TextContent)));
        Assert.Single(await Workflows.ListAsync(default)); // the exported one only
    }

    [Fact]
    public async Task Another_format_is_refused_at_document_format()
    {
        var dialogs = await OpenAsync();

        await PasteAsync(dialogs, """{"format":"node-red","nodes":[]}""");
        await dialogs.InvokeAsync(() => dialogs.Find("[data-test=import-workflow]").Click());

        dialogs.WaitForAssertion(() => Assert.Contains("document.format: This is not an exported workflow", Normalized(dialogs.Find("[data-test=import-problems]").TextContent)));
    }

    [Fact]
    public async Task A_chosen_file_goes_to_the_chosen_entity_under_the_chosen_name_and_the_new_draft_opens()
    {
        var branch = (await Services.GetRequiredService<EntityService>().CreateAsync(new CreateEntityRequest("North branch", EntityType.Organisation), default)).Id!.Value;
        var document = await ExportedAsync();
        var snackbars = Render<MudSnackbarProvider>();
        var popovers = Render<MudPopoverProvider>();
        var dialogs = await OpenAsync();

        var upload = dialogs.FindComponent<InputFile>();
        await dialogs.InvokeAsync(() => upload.UploadFiles(InputFileContent.CreateFromText(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), "Hot rooms.iotroutes-workflow.json")));
        dialogs.WaitForAssertion(() => Assert.Equal("Hot rooms.iotroutes-workflow.json", dialogs.Find("[data-test=import-file-name]").TextContent));
        Assert.Contains("\"iotroutes-workflow\"", dialogs.Find("textarea[data-test=import-document]").GetAttribute("value") ?? dialogs.Find("textarea[data-test=import-document]").TextContent);
        await dialogs.InvokeAsync(() => dialogs.Find("[data-test=import-entity]").Closest(".mud-select")!.MouseDown());
        popovers.WaitForAssertion(() => Assert.Contains("North branch", popovers.Markup));
        await popovers.InvokeAsync(() => popovers.FindAll(".mud-list-item").First(i => i.TextContent.Trim() == "North branch").Click());
        await dialogs.InvokeAsync(() => dialogs.Find("input[data-test=import-name]").Change("Hot rooms north"));
        await dialogs.InvokeAsync(() => dialogs.Find("[data-test=import-workflow]").Click());

        var navigation = Services.GetRequiredService<NavigationManager>();
        var imported = await Eventually.GetAsync(async () => (await Workflows.ListAsync(default)).SingleOrDefault(w => w.Name == "Hot rooms north"), "the imported workflow");
        dialogs.WaitForAssertion(() => Assert.EndsWith($"/workflows/{imported.Id}", navigation.Uri));
        Assert.Equal(branch, imported.EntityId);
        Assert.Null(imported.ActiveVersion);
        var draft = await Workflows.FindAsync(imported.Id, default);
        Assert.True(JsonNode.DeepEquals(document["definition"], draft!.Definition));
        snackbars.WaitForAssertion(() => Assert.Contains("Imported as a draft", snackbars.Markup));
    }

    [Fact]
    public async Task Without_a_name_the_documents_is_numbered_and_a_chosen_name_that_is_taken_is_refused_on_the_name_field()
    {
        var document = await ExportedAsync();
        var dialogs = await OpenAsync();

        await PasteAsync(dialogs, document.ToJsonString());
        await dialogs.InvokeAsync(() => dialogs.Find("input[data-test=import-name]").Change("Hot rooms"));
        await dialogs.InvokeAsync(() => dialogs.Find("[data-test=import-workflow]").Click());

        dialogs.WaitForAssertion(() => Assert.Contains("There is already a workflow named Hot rooms in this entity.",
            dialogs.Find("input[data-test=import-name]").Closest(".mud-input-control")!.TextContent));
        Assert.Single(await Workflows.ListAsync(default));

        await dialogs.InvokeAsync(() => dialogs.Find("input[data-test=import-name]").Change(""));
        await dialogs.InvokeAsync(() => dialogs.Find("[data-test=import-workflow]").Click());
        await Eventually.GetAsync(async () => (await Workflows.ListAsync(default)).SingleOrDefault(w => w.Name == "Hot rooms (2)"), "the import numbered");
    }

    private async Task<IRenderedComponent<MudDialogProvider>> OpenAsync()
    {
        var dialogs = Render<MudDialogProvider>();
        var page = Render<Workflows>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-test=import-open]")));
        await page.InvokeAsync(() => page.Find("[data-test=import-open]").Click());
        dialogs.WaitForAssertion(() => Assert.NotNull(dialogs.Find("[data-test=import-workflow]")));
        return dialogs;
    }

    private static Task PasteAsync(IRenderedComponent<MudDialogProvider> dialogs, string text) =>
        dialogs.InvokeAsync(() => dialogs.Find("textarea[data-test=import-document]").Change(text));

    private static string? DocumentFieldError(IRenderedComponent<MudDialogProvider> dialogs) =>
        dialogs.Find("textarea[data-test=import-document]").Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text")?.TextContent.Trim();

    /// <summary>A workflow "Hot rooms" made here and exported, as the API would give it.</summary>
    private async Task<JsonObject> ExportedAsync()
    {
        var (request, errors) = WorkflowRequestReader.ReadCreate(new JsonObject { ["name"] = "Hot rooms", ["description"] = "Logs hot rooms", ["definition"] = JsonNode.Parse(HotRooms) });
        Assert.Empty(errors);
        var id = (await Workflows.CreateAsync(request!, default)).Id!.Value;
        var document = await Workflows.ExportAsync(id, default);
        return JsonSerializer.SerializeToNode(document, JsonSerializerOptions.Web)!.AsObject();
    }

    private static string Normalized(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();
}

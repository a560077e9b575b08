using System.Text.Json.Nodes;
using Bunit;
using IoTRoutes.Core.Workflows.Definitions;
using IoTRoutes.Web.Components.Pages.Workflows;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IoTRoutes.Tests.Components;

public sealed class WorkflowsPageTests : PageTestContext
{
    private const string Linear = """
        {"nodes":[{"id":"in","type":"OnMessage"},{"id":"hot","type":"Filter","settings":{"condition":"temp > 30"}},{"id":"log","type":"Log","settings":{"message":"hot"}}],
         "links":[{"from":"in","to":"hot"},{"from":"hot","fromPort":"true","to":"log"}]}
        """;

    private WorkflowService Workflows => Services.GetRequiredService<WorkflowService>();

    private async Task<Guid> CreateAsync(string name, string definition)
    {
        var (request, errors) = WorkflowRequestReader.ReadCreate(new JsonObject { ["name"] = name, ["definition"] = JsonNode.Parse(definition) });
        Assert.Empty(errors);
        return (await Workflows.CreateAsync(request!, default)).Id!.Value;
    }

    [Fact]
    public void Without_workflows_the_page_says_what_happens_to_messages_meanwhile()
    {
        var cut = Render<Workflows>();

        cut.WaitForAssertion(() => Assert.Contains("No workflow yet", cut.Find("[data-test=empty]").TextContent));
        Assert.Contains("nothing else happens to them", cut.Markup);
    }

    [Fact]
    public async Task Workflows_are_listed_with_entity_state_and_the_number_of_problems()
    {
        var published = await CreateAsync("Hot rooms", Linear);
        await Workflows.PublishAsync(published, null, null, default);
        await CreateAsync("Unfinished", """{"nodes":[{"id":"in","type":"OnMessage"},{"id":"f","type":"Filter"}],"links":[]}""");

        var cut = Render<Workflows>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-test=workflows] tbody tr").Count));
        var rows = cut.FindAll("[data-test=workflows] tbody tr").Select(r => r.TextContent).ToList();
        Assert.Contains("published v1", rows[0]);
        Assert.Contains("Platform", rows[0]);
        Assert.Contains("none", rows[0]);
        Assert.Contains("Unfinished", rows[1]);
        Assert.Contains("draft only", rows[1]);
        // Its filter has no condition and leads nowhere, nothing leads to it, and the trigger leads nowhere.
        Assert.Equal("4", cut.FindAll("[data-test=workflows] tbody tr")[1].QuerySelectorAll("td")[4].TextContent.Trim());
    }

    [Fact]
    public async Task Saving_over_someone_elses_save_shows_who_saved_and_which_nodes_changed()
    {
        var id = await CreateAsync("Shared draft", Linear);
        Render<MudSnackbarProvider>();
        var cut = Render<WorkflowDetail>(p => p.Add(x => x.Id, id));
        cut.WaitForAssertion(() => Assert.Contains("\"temp > 30\"", cut.Find("textarea[data-test=draft]").GetAttribute("value")));

        var (other, _) = WorkflowRequestReader.ReadUpdate(new JsonObject { ["revision"] = 1, ["definition"] = JsonNode.Parse(Linear.Replace("temp > 30", "temp > 35")) });
        Assert.Equal(2, (await Workflows.UpdateAsync(id, other!, default)).Revision);
        cut.Find("[data-test=save]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Saved as revision 2", cut.Find("[data-test=stale]").TextContent));
        Assert.Contains("nodes changed: hot", cut.Find("[data-test=stale]").TextContent);
    }

    [Fact]
    public async Task Publishing_a_draft_with_problems_lists_them_per_node_and_makes_no_version()
    {
        var id = await CreateAsync("Not ready", """{"nodes":[{"id":"in","type":"OnMessage"},{"id":"f","type":"Filter","settings":{"condition":"temp >"}}],"links":[{"from":"in","to":"f"}]}""");
        Render<MudSnackbarProvider>();
        var cut = Render<WorkflowDetail>(p => p.Add(x => x.Id, id));

        cut.WaitForAssertion(() => Assert.Contains("Not published yet", cut.Find("[data-test=no-versions]").TextContent));
        cut.Find("[data-test=publish]").Click();

        cut.WaitForAssertion(() => Assert.Contains("condition", cut.Find("[data-test=problems]").TextContent));
        Assert.Contains("f", cut.Find("[data-test=problems] tbody tr").TextContent);
        Assert.Empty((await Workflows.VersionsAsync(id, default))!);
    }
}

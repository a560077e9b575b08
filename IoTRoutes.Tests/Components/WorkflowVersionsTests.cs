using System.Text.Json.Nodes;
using Bunit;
using IoTRoutes.Core.Workflows.Definitions;
using IoTRoutes.Core.Workflows.Model;
using IoTRoutes.Web.Components.Pages.Workflows;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IoTRoutes.Tests.Components;

/// <summary>The Versions tab over the real WorkflowService: each older version compared with the active one.</summary>
public sealed class WorkflowVersionsTests : PageTestContext
{
    private const string HotLog = """
        {"nodes":[{"id":"in","type":"OnMessage"},{"id":"hot","type":"Filter","settings":{"condition":"temp > 30"}},{"id":"log","type":"Log","settings":{"message":"hot"}}],
         "links":[{"from":"in","to":"hot"},{"from":"hot","fromPort":"true","to":"log"}]}
        """;

    private WorkflowService Workflows => Services.GetRequiredService<WorkflowService>();

    [Fact]
    public async Task An_older_version_compared_with_the_active_one_lists_what_changed_since()
    {
        var id = await PublishTwiceAsync(HotLog, HotLog.Replace("temp > 30", "temp > 35"));
        var dialogs = Render<MudDialogProvider>();
        var versions = (await Workflows.VersionsAsync(id, default))!;
        var cut = Render<WorkflowVersions>(p => p.Add(x => x.WorkflowId, id).Add(x => x.Versions, versions));

        Assert.Empty(cut.FindAll("[data-test=compare-v2]")); // the active one has nothing to compare with
        await cut.InvokeAsync(() => cut.Find("[data-test=compare-v1]").Click());

        dialogs.WaitForAssertion(() => Assert.Equal("From v1 to v2 (active): 1 setting changed", Normalized(dialogs.Find("[data-test=compare-summary]").TextContent)));
        Assert.Equal("~ hot.condition: \"temp > 30\" → \"temp > 35\"", Normalized(dialogs.Find("[data-test=compare-diff]").TextContent));
    }

    [Fact]
    public async Task A_version_the_same_as_the_active_one_says_so()
    {
        var id = await PublishTwiceAsync(HotLog, HotLog);
        var dialogs = Render<MudDialogProvider>();
        var versions = (await Workflows.VersionsAsync(id, default))!;
        var cut = Render<WorkflowVersions>(p => p.Add(x => x.WorkflowId, id).Add(x => x.Versions, versions));

        await cut.InvokeAsync(() => cut.Find("[data-test=compare-v1]").Click());

        dialogs.WaitForAssertion(() => Assert.Equal("v1 and v2 (active) are the same.", dialogs.Find("[data-test=compare-summary]").TextContent));
        Assert.Empty(dialogs.FindAll("[data-test=compare-diff]"));
    }

    private async Task<Guid> PublishTwiceAsync(string first, string second)
    {
        var (request, errors) = WorkflowRequestReader.ReadCreate(new JsonObject { ["name"] = "Hot rooms", ["definition"] = JsonNode.Parse(first) });
        Assert.Empty(errors);
        var id = (await Workflows.CreateAsync(request!, default)).Id!.Value;
        Assert.Equal(IoTRoutes.Core.ChangeOutcome.Done, (await Workflows.PublishAsync(id, null, null, default)).Outcome);
        var saved = await Workflows.UpdateAsync(id, new UpdateWorkflowRequest(1, null, null, WorkflowGraph.Parse(second), null), default);
        Assert.Equal(IoTRoutes.Core.ChangeOutcome.Done, saved.Change.Outcome);
        Clock.Advance(TimeSpan.FromMinutes(1)); // a version is activated at its own time
        Assert.Equal(IoTRoutes.Core.ChangeOutcome.Done, (await Workflows.PublishAsync(id, null, null, default)).Outcome);
        return id;
    }

    private static string Normalized(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();
}

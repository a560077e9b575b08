using Blazor.Diagrams;
using Bunit;
using IoTRoutes.Core.Workflows.Definitions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;
using IoTRoutes.Web.Components.Pages.Workflows.Designer;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Tests.Components;

/// <summary>
/// A node on the canvas, drawn from a definition by <see cref="DiagramSync"/> over the real catalog and compiler, as the
/// designer draws it: title, summary, ports, problems, live counters and what a test run did.
/// </summary>
public sealed class NodeWidgetTests : PageTestContext
{
    private const string HotRooms = """
        {"nodes":[{"id":"in","type":"OnMessage"},
                  {"id":"hot","type":"Filter","name":"Hot?","settings":{"condition":"temp > 30"}},
                  {"id":"route","type":"Switch","settings":{"cases":[{"name":"hot","condition":"temp > 30"},{"name":"cold","condition":"temp < 5"}]}},
                  {"id":"unsure","type":"Filter"}],
         "links":[{"from":"in","to":"hot"},{"from":"hot","fromPort":"true","to":"route"}]}
        """;

    private readonly BlazorDiagram _diagram = new();

    [Fact]
    public void A_named_node_shows_its_name_and_the_summary_of_its_settings()
    {
        var cut = Draw("hot");

        Assert.Equal("Hot?", cut.Find(".wf-node-title").TextContent);
        Assert.Equal("Filter · hot", cut.Find(".wf-node-title").GetAttribute("title"));
        Assert.Equal("temp > 30", cut.Find(".wf-node-summary").TextContent);
        Assert.Equal("hot", cut.Find("[data-test=node]").GetAttribute("data-node-id"));
    }

    [Fact]
    public void A_node_without_a_name_shows_its_type_and_without_a_summary_its_type_again()
    {
        var cut = Draw("unsure");

        Assert.Equal("Filter", cut.Find(".wf-node-title").TextContent);
        Assert.Equal("Filter", cut.Find(".wf-node-summary").TextContent);
    }

    [Fact]
    public void Each_output_port_has_its_label_in_the_order_the_engine_gives_with_error_last_and_styled_as_an_error()
    {
        var cut = Draw("route");

        Assert.Equal(["hot", "cold", "default", "error"], Labels(cut));
        Assert.Equal(["error"], cut.FindAll(".wf-port-label.error").Select(l => l.TextContent.Trim()));
        var outputs = cut.FindAll(".wf-port-out");
        Assert.Equal(4, outputs.Count);
        Assert.Equal(["route:out:error"], outputs.Where(p => p.ClassList.Contains("error")).Select(p => p.GetAttribute("data-port-id")));
        Assert.Single(cut.FindAll(".wf-port-in"));
        // The widget is as tall as its ports need: the header and one row per output.
        Assert.Contains($"height:{NodeLayout.HeightOf(4)}px", cut.Find("[data-test=node]").GetAttribute("style"));
    }

    [Fact]
    public void A_trigger_has_no_input_and_no_error_port()
    {
        var cut = Draw("in");

        Assert.Empty(cut.FindAll(".wf-port-in"));
        Assert.Equal(["out"], Labels(cut));
        Assert.Empty(cut.FindAll(".wf-port-label.error"));
    }

    [Fact]
    public void A_node_with_problems_has_a_badge_with_their_count_and_each_problem_in_its_tooltip()
    {
        var cut = Draw("unsure");

        var problems = Services.GetRequiredService<WorkflowService>().Problems(WorkflowGraph.Parse(HotRooms)).Where(p => p.NodeId == "unsure").ToList();
        Assert.True(problems.Count >= 2, "a Filter without a condition, linked to nothing, has several problems");
        var badge = cut.Find("[data-test=node-problems]");
        Assert.Equal(problems.Count.ToString(), badge.TextContent);
        Assert.Equal(problems.Select(p => p.Setting is null ? p.Message : $"{p.Setting}: {p.Message}"), badge.GetAttribute("title")!.Split('\n'));
        Assert.Contains("has-problems", cut.Find("[data-test=node]").ClassList);
    }

    [Fact]
    public void A_node_without_problems_has_no_badge()
    {
        var cut = Draw("hot");

        Assert.Empty(cut.FindAll("[data-test=node-problems]"));
        Assert.DoesNotContain("has-problems", cut.Find("[data-test=node]").ClassList);
    }

    [Fact]
    public void Live_counters_show_messages_in_errors_and_what_left_by_each_port()
    {
        var cut = Draw("hot", node => node.Counters = new NodeCountersView(1234, 5, new Dictionary<string, long> { ["true"] = 1200, ["false"] = 29 }));

        Assert.Equal("1,234 in · 5 err", cut.Find(".wf-node-counter").TextContent);
        Assert.Equal(["true (1,200)", "false (29)", "error"], Labels(cut));
    }

    [Fact]
    public void Without_counters_nothing_is_counted()
    {
        var cut = Draw("hot");

        Assert.Empty(cut.FindAll(".wf-node-counter"));
        Assert.Equal(["true", "false", "error"], Labels(cut));
    }

    [Fact]
    public void After_a_test_run_the_node_shows_the_port_it_took_and_its_time()
    {
        var cut = Draw("hot", node => node.Trace = new NodeTraceView("true", null, TimeSpan.FromMilliseconds(2)));

        Assert.Equal("→ true · 2 ms", cut.Find(".wf-node-trace").TextContent);
        Assert.Contains("trace-visited", cut.Find("[data-test=node]").ClassList);
        Assert.DoesNotContain("trace-failed", cut.Find("[data-test=node]").ClassList);
    }

    [Fact]
    public void A_node_that_failed_in_a_test_run_says_error_and_gives_the_error_in_its_tooltip()
    {
        var cut = Draw("hot", node => node.Trace = new NodeTraceView(null, "Cannot compare 'warm' with 30", TimeSpan.FromMilliseconds(3)));

        var trace = cut.Find(".wf-node-trace");
        Assert.Equal("error · 3 ms", trace.TextContent);
        Assert.Equal("Cannot compare 'warm' with 30", trace.GetAttribute("title"));
        Assert.Contains("trace-failed", cut.Find("[data-test=node]").ClassList);
    }

    /// <summary>Draws <see cref="HotRooms"/> on a diagram as the designer does and renders node <paramref name="id"/>'s widget.</summary>
    private IRenderedComponent<CascadingValue<BlazorDiagram>> Draw(string id, Action<WorkflowNodeModel>? change = null)
    {
        var graph = WorkflowGraph.Parse(HotRooms);
        new DiagramSync(_diagram, Services.GetRequiredService<ActionCatalog>()).Show(graph, Services.GetRequiredService<WorkflowService>().Problems(graph));
        var node = _diagram.Nodes.OfType<WorkflowNodeModel>().Single(n => n.Id == id);
        change?.Invoke(node);
        return Render<CascadingValue<BlazorDiagram>>(p => p.Add(c => c.Value, _diagram).Add(c => c.IsFixed, true)
            .AddChildContent<NodeWidget>(w => w.Add(x => x.Node, node)));
    }

    private static List<string> Labels(IRenderedComponent<CascadingValue<BlazorDiagram>> cut) =>
        [.. cut.FindAll(".wf-port-label").Select(l => System.Text.RegularExpressions.Regex.Replace(l.TextContent, @"\s+", " ").Trim())];
}

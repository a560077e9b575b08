using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Tests.Core.Workflows;

public sealed class WorkflowDiffTests
{
    private static WorkflowGraph Read(string json) => WorkflowGraph.Read(JsonNode.Parse(json)).Graph!;

    [Fact]
    public void Added_removed_and_changed_nodes_and_links_are_told_apart_and_moving_a_node_is_no_change()
    {
        var before = Read("""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"a","type":"Filter","settings":{"condition":"t > 1"}},{"id":"gone","type":"Log","settings":{"message":"x"}}],
             "links":[{"from":"in","to":"a"},{"from":"a","fromPort":"true","to":"gone"}]}
            """);
        var after = Read("""
            {"nodes":[{"id":"in","type":"OnMessage","x":300,"y":40},{"id":"a","type":"Filter","settings":{"condition":"t > 2"}},{"id":"new","type":"Log","settings":{"message":"y"}}],
             "links":[{"from":"in","to":"a"},{"from":"a","fromPort":"false","to":"new"}]}
            """);

        var diff = WorkflowDiff.Between(before, after);

        Assert.Equal(["new"], diff.NodesAdded);
        Assert.Equal(["gone"], diff.NodesRemoved);
        Assert.Equal(["a"], diff.NodesChanged);
        Assert.Equal([new WorkflowLink("a", "new") { FromPort = "false" }], diff.LinksAdded);
        Assert.Equal([new WorkflowLink("a", "gone") { FromPort = "true" }], diff.LinksRemoved);
        Assert.Equal("nodes added: new; nodes removed: gone; nodes changed: a; links added: a.false → new; links removed: a.true → gone", diff.Describe());
    }

    [Fact]
    public void The_same_graph_has_no_change()
    {
        var graph = Read("""{"nodes":[{"id":"in","type":"OnMessage","settings":{"exchangeType":"Telemetry"}}],"links":[]}""");

        Assert.True(WorkflowDiff.Between(graph, Read(graph.ToJson())).IsEmpty);
    }
}

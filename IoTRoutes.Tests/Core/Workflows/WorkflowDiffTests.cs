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
        Assert.Equal("1 node added, 1 node removed, 1 setting changed, 1 link added, 1 link removed; 1 node moved", diff.Summary);
    }

    [Fact]
    public void The_same_graph_has_no_change()
    {
        var graph = Read("""{"nodes":[{"id":"in","type":"OnMessage","settings":{"exchangeType":"Telemetry"}}],"links":[]}""");

        var diff = WorkflowDiff.Between(graph, Read(graph.ToJson()));

        Assert.True(diff.IsEmpty);
        Assert.Empty(diff.NodesMoved);
        Assert.Equal("No changes", diff.Summary);
    }

    [Fact]
    public void Each_changed_setting_is_listed_with_its_value_before_and_after_and_an_added_or_removed_setting_has_null_on_the_other_side()
    {
        var before = Read("""
            {"nodes":[{"id":"in","type":"OnMessage"},
                      {"id":"t","type":"Transform","settings":{"set":{"f":"c * 1.8"},"keep":true,"unit":"C"}}],"links":[]}
            """);
        var after = Read("""
            {"nodes":[{"id":"in","type":"OnMessage"},
                      {"id":"t","type":"Transform","settings":{"set":{"f":"c * 9 / 5"},"keep":true,"remove":["c"]}}],"links":[]}
            """);

        var diff = WorkflowDiff.Between(before, after);

        Assert.Equal(["t"], diff.NodesChanged);
        Assert.Equal(
            [("t", "set", """{"f":"c * 1.8"}""", """{"f":"c * 9 / 5"}"""), ("t", "unit", "\"C\"", "null"), ("t", "remove", "null", """["c"]""")],
            diff.SettingsChanged.Select(s => (s.NodeId, s.Setting, s.Before?.ToJsonString() ?? "null", s.After?.ToJsonString() ?? "null")));
        Assert.Empty(diff.NodesRenamed);
        Assert.Equal("3 settings changed", diff.Summary);
    }

    [Fact]
    public void A_setting_absent_on_one_side_and_null_on_the_other_is_no_change()
    {
        var before = Read("""{"nodes":[{"id":"in","type":"OnMessage","settings":{"deviceId":null}}],"links":[]}""");
        var after = Read("""{"nodes":[{"id":"in","type":"OnMessage"}],"links":[]}""");

        Assert.True(WorkflowDiff.Between(before, after).IsEmpty);
    }

    [Fact]
    public void A_rename_and_a_type_change_are_reported_with_both_values_and_count_as_a_change_of_the_node()
    {
        var before = Read("""{"nodes":[{"id":"in","type":"OnMessage"},{"id":"a","type":"Log","name":"Tell"},{"id":"b","type":"Log"}],"links":[]}""");
        var after = Read("""{"nodes":[{"id":"in","type":"OnMessage","name":"Uplinks"},{"id":"a","type":"Log","name":"Tell ops"},{"id":"b","type":"Script"}],"links":[]}""");

        var diff = WorkflowDiff.Between(before, after);

        Assert.Equal([new WorkflowNodeRename("in", null, "Uplinks"), new WorkflowNodeRename("a", "Tell", "Tell ops")], diff.NodesRenamed);
        Assert.Equal([new WorkflowNodeRetype("b", "Log", "Script")], diff.NodesRetyped);
        Assert.Equal(["in", "a", "b"], diff.NodesChanged);
        Assert.Equal("2 nodes renamed, 1 node changed type", diff.Summary);
    }

    [Fact]
    public void Moves_are_reported_apart_with_both_positions_and_leave_the_diff_empty()
    {
        var before = Read("""{"nodes":[{"id":"in","type":"OnMessage","x":0,"y":0},{"id":"a","type":"Log","x":100,"y":0},{"id":"b","type":"Log","x":200,"y":0}],"links":[]}""");
        var after = Read("""{"nodes":[{"id":"in","type":"OnMessage","x":0,"y":0},{"id":"a","type":"Log","x":120,"y":40},{"id":"b","type":"Log","x":200,"y":-10.5}],"links":[]}""");

        var diff = WorkflowDiff.Between(before, after);

        Assert.True(diff.IsEmpty);
        Assert.Empty(diff.NodesChanged);
        Assert.Equal([new WorkflowNodeMove("a", 100, 0, 120, 40), new WorkflowNodeMove("b", 200, 0, 200, -10.5)], diff.NodesMoved);
        Assert.Equal("2 nodes moved", diff.Summary);
        Assert.Equal("no change to nodes or links", diff.Describe());
    }

    [Fact]
    public void From_an_empty_graph_every_node_and_link_is_added()
    {
        var graph = Read("""{"nodes":[{"id":"in","type":"OnMessage"},{"id":"a","type":"Log"},{"id":"b","type":"Log"}],"links":[{"from":"in","to":"a"},{"from":"in","to":"b"}]}""");

        var diff = WorkflowDiff.Between(WorkflowGraph.Empty, graph);

        Assert.Equal(["in", "a", "b"], diff.NodesAdded);
        Assert.Equal(2, diff.LinksAdded.Count);
        Assert.Equal("3 nodes added, 2 links added", diff.Summary);
    }

    [Fact]
    public void A_link_moved_to_another_port_is_one_removed_and_one_added()
    {
        var before = Read("""{"nodes":[{"id":"in","type":"OnMessage"},{"id":"a","type":"Log"}],"links":[{"from":"in","to":"a"}]}""");
        var after = Read("""{"nodes":[{"id":"in","type":"OnMessage"},{"id":"a","type":"Log"}],"links":[{"from":"in","fromPort":"error","to":"a"}]}""");

        var diff = WorkflowDiff.Between(before, after);

        Assert.Equal([new WorkflowLink("in", "a") { FromPort = "error" }], diff.LinksAdded);
        Assert.Equal([new WorkflowLink("in", "a")], diff.LinksRemoved);
        Assert.Empty(diff.NodesChanged);
    }

    [Fact]
    public void The_values_in_a_setting_change_are_copies_that_do_not_follow_later_edits_of_the_graph()
    {
        var before = Read("""{"nodes":[{"id":"a","type":"Log","settings":{"message":"x"}}],"links":[]}""");
        var after = Read("""{"nodes":[{"id":"a","type":"Log","settings":{"message":"y"}}],"links":[]}""");

        var diff = WorkflowDiff.Between(before, after);
        after.Nodes[0].Settings["message"] = "z";

        Assert.Equal("y", diff.SettingsChanged[0].After!.GetValue<string>());
    }
}

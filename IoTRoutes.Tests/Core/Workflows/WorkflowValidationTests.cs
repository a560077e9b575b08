using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Tests.Core.Workflows;

/// <summary>What keeps a workflow from being published, each problem on its node.</summary>
public sealed class WorkflowValidationTests
{
    [Theory]
    [InlineData("""{"nodes":[{"id":"a","type":"Set","settings":{"name":"x","value":1}}],"links":[]}""", "a", "starts with a trigger")]
    [InlineData("""{"nodes":[{"id":"in","type":"OnMessage"},{"id":"t","type":"Teleport"}],"links":[{"from":"in","to":"t"}]}""", "t", "Unknown node type Teleport")]
    [InlineData("""{"nodes":[{"id":"in","type":"OnMessage"},{"id":"w","type":"When","settings":{"field":"t","above":1}},{"id":"e","type":"Collect"}],"links":[{"from":"in","to":"w"},{"from":"w","fromPort":"maybe","to":"e"}]}""", "w", "no port maybe")]
    [InlineData("""{"nodes":[{"id":"in","type":"OnMessage"},{"id":"lonely","type":"Collect"}],"links":[]}""", "lonely", "Nothing leads to this node")]
    [InlineData("""{"nodes":[{"id":"in","type":"OnMessage"},{"id":"a","type":"Set","settings":{"name":"x","value":1}},{"id":"b","type":"Set","settings":{"name":"y","value":1}}],"links":[{"from":"in","to":"a"},{"from":"a","to":"b"},{"from":"b","to":"a"}]}""", "a", "cycle: a → b → a")]
    [InlineData("""{"nodes":[{"id":"in","type":"OnMessage"},{"id":"j","type":"Join"},{"id":"e","type":"Collect"}],"links":[{"from":"in","to":"j"},{"from":"j","to":"e"}]}""", "j", "two or more")]
    [InlineData("""{"nodes":[{"id":"in","type":"OnMessage"},{"id":"again","type":"OnDeviceConnected"}],"links":[{"from":"in","to":"again"}]}""", "again", "Only the first node is a trigger")]
    [InlineData("""{"nodes":[{"id":"in","type":"OnMessage"},{"id":"a","type":"Collect"}],"links":[{"from":"in","to":"a"},{"from":"a","to":"in"}]}""", "in", "Nothing links to a trigger")]
    [InlineData("""{"nodes":[{"id":"in","type":"OnMessage"},{"id":"a","type":"Set","settings":{"name":"x"}}],"links":[{"from":"in","to":"a"}]}""", "a", "Required")]
    [InlineData("""{"nodes":[{"id":"in","type":"OnMessage","settings":{"exchangeType":"Gossip"}}],"links":[]}""", "in", "One of Telemetry")]
    [InlineData("""{"nodes":[{"id":"in","type":"OnMessage"}],"links":[]}""", "in", "The trigger leads nowhere")]
    [InlineData("""{"nodes":[{"id":"in","type":"OnMessage"},{"id":"w","type":"When","settings":{"field":"t","above":1}}],"links":[{"from":"in","to":"w"}]}""", "w", "None of its outcomes (true, false) leads anywhere")]
    [InlineData("""{"nodes":[{"id":"in","type":"OnMessage"},{"id":"w","type":"When","settings":{"field":"t","above":1}},{"id":"j","type":"Join"},{"id":"e","type":"Collect"}],"links":[{"from":"in","to":"w"},{"from":"w","fromPort":"true","to":"j"},{"from":"w","fromPort":"false","to":"j"},{"from":"j","to":"e"}]}""", "j", "exclude each other")]
    [InlineData("""{"nodes":[{"id":"in","type":"OnMessage"},{"id":"j","type":"Join","settings":{"timeout":"soon"}},{"id":"a","type":"Collect"}],"links":[{"from":"in","to":"j"},{"from":"in","fromPort":"error","to":"j"},{"from":"j","to":"a"}]}""", "j", "A duration")]
    public void A_graph_with_a_problem_does_not_compile_and_the_problem_names_its_node(string json, string node, string problem)
    {
        var (graph, errors) = WorkflowGraph.Read(JsonNode.Parse(json));
        Assert.Empty(errors);

        var (workflow, problems) = new WorkflowCompiler(TestActions.Catalog(new()), TestActions.NoLanguages, EmptyServices.Instance).Compile(graph!);

        Assert.Null(workflow);
        Assert.Contains(problems, p => p.NodeId == node && p.Message.Contains(problem));
    }

    [Fact]
    public void One_node_s_settings_are_checked_as_publishing_checks_them_without_its_links()
    {
        var compiler = new WorkflowCompiler(TestActions.Catalog(new()), TestActions.NoLanguages, EmptyServices.Instance);

        var missing = compiler.CheckSettings(new WorkflowNode("a", "Set", null, new JsonObject { ["value"] = "many" }, 0, 0));
        var fine = compiler.CheckSettings(new WorkflowNode("b", "Set", null, JsonNode.Parse("""{"name":"x","value":2}""")!.AsObject(), 0, 0));
        var unknown = compiler.CheckSettings(new WorkflowNode("c", "Teleport", null, [], 0, 0));

        Assert.Equal(["a name Required.", "a value A number is expected."], missing.Select(p => $"{p.NodeId} {p.Setting} {p.Message}"));
        Assert.Empty(fine);
        Assert.Equal("Unknown node type Teleport.", Assert.Single(unknown).Message);
    }

    [Theory]
    [InlineData("""{"nodes":[{"type":"OnMessage"}]}""", "nodes[0].id")]
    [InlineData("""{"nodes":[{"id":"a","type":"OnMessage"},{"id":"a","type":"Collect"}]}""", "nodes[1].id")]
    [InlineData("""{"nodes":[{"id":"a","type":"OnMessage"}],"links":[{"from":"a","to":"ghost"}]}""", "links[0].to")]
    [InlineData("""{"nodes":[{"id":"a","type":"OnMessage","settings":[1]}]}""", "nodes[0].settings")]
    [InlineData("""{"nodes":[{"id":"a","type":"OnMessage","x":"left"}]}""", "nodes[0].x")]
    [InlineData("""[1,2]""", "definition")]
    public void A_definition_that_does_not_read_is_refused_at_the_place_of_the_error(string json, string place)
    {
        var (graph, errors) = WorkflowGraph.Read(JsonNode.Parse(json));

        Assert.Null(graph);
        Assert.Contains(place, errors.Keys);
    }

    [Fact]
    public void A_graph_reads_back_as_written_with_default_ports()
    {
        var (graph, _) = WorkflowGraph.Read(JsonNode.Parse("""
            {"nodes":[{"id":"in","type":"OnMessage","name":"Uplinks","settings":{"exchangeType":"Telemetry"},"x":10,"y":20},{"id":"e","type":"Collect"}],
             "links":[{"from":"in","to":"e"}]}
            """));

        var again = WorkflowGraph.Parse(graph!.ToJson());

        Assert.Equal(("out", "in"), (again.Links[0].FromPort, again.Links[0].ToPort));
        Assert.Equal(("Uplinks", 10.0, 20.0), (again.Nodes[0].Name, again.Nodes[0].X, again.Nodes[0].Y));
        Assert.Equal("Telemetry", again.Nodes[0].Settings["exchangeType"]!.GetValue<string>());
    }
}

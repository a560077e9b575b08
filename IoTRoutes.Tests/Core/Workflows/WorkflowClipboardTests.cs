using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Definitions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Tests.Core.Workflows;

/// <summary>Copy and paste of nodes: the fragment, fresh ids, positions, links, the one trigger.</summary>
public sealed class WorkflowClipboardTests
{
    private readonly WorkflowClipboard _clipboard = new(TestActions.Catalog(new()));

    private static WorkflowGraph Read(string json) => WorkflowGraph.Read(JsonNode.Parse(json)).Graph!;

    private static readonly WorkflowGraph Source = Read("""
        {"nodes":[{"id":"in","type":"OnMessage","settings":{"exchangeType":"Telemetry"},"x":0,"y":0},
                  {"id":"when","type":"When","name":"Hot","settings":{"field":"t","above":30},"x":200,"y":0},
                  {"id":"set","type":"Set","settings":{"name":"hot","value":1},"x":400,"y":0},
                  {"id":"collect","type":"Collect","x":600,"y":0}],
         "links":[{"from":"in","to":"when"},{"from":"when","fromPort":"true","to":"set"},{"from":"set","to":"collect"}]}
        """);

    [Fact]
    public void A_copy_holds_the_chosen_nodes_and_only_the_links_between_them()
    {
        var fragment = JsonNode.Parse(_clipboard.Copy(Source, ["when", "set", "ghost"]))!;

        Assert.Equal("iotroutes-nodes", fragment["format"]!.GetValue<string>());
        Assert.Equal(["when", "set"], fragment["nodes"]!.AsArray().Select(n => n!["id"]!.GetValue<string>()));
        Assert.Equal(30, fragment["nodes"]![0]!["settings"]!["above"]!.GetValue<double>());
        var link = Assert.Single(fragment["links"]!.AsArray())!;
        Assert.Equal(("when", "true", "set", "in"),
            (link["from"]!.GetValue<string>(), link["fromPort"]!.GetValue<string>(), link["to"]!.GetValue<string>(), link["toPort"]!.GetValue<string>()));
    }

    [Fact]
    public void Pasting_into_the_same_workflow_gives_fresh_readable_ids_moves_the_nodes_and_keeps_their_links()
    {
        var fragment = _clipboard.Copy(Source, ["when", "set"]);

        var paste = _clipboard.Paste(Source, fragment, 40, 30);

        Assert.Empty(paste.Errors);
        Assert.Equal(["when-2", "set-2"], paste.NodeIds);
        var graph = paste.Definition!;
        Assert.Equal(["in", "when", "set", "collect", "when-2", "set-2"], graph.Nodes.Select(n => n.Id));
        var copy = graph.Nodes.Single(n => n.Id == "when-2");
        Assert.Equal(("When", "Hot", 240d, 30d), (copy.Type, copy.Name, copy.X, copy.Y));
        Assert.True(JsonNode.DeepEquals(Source.Nodes[1].Settings, copy.Settings));
        Assert.Contains(new WorkflowLink("when-2", "set-2") { FromPort = "true" }, graph.Links);
        Assert.Equal(Source.Links.Count + 1, graph.Links.Count);
    }

    [Fact]
    public void Comment_notes_are_copied_with_the_nodes_and_pasted_beside_them_under_free_ids()
    {
        var noted = Source with { Notes = [new WorkflowNote("note", "Hot rooms only", 200, 120), new WorkflowNote("other", "Left behind", 0, 300)] };
        var fragment = _clipboard.Copy(noted, ["when", "note"]);

        Assert.Equal(["note"], JsonNode.Parse(fragment)!["notes"]!.AsArray().Select(n => n!["id"]!.GetValue<string>()));
        Assert.False(JsonNode.Parse(_clipboard.Copy(noted, ["when"]))!.AsObject().ContainsKey("notes"));
        var paste = _clipboard.Paste(noted, fragment, 40, 40);

        Assert.Empty(paste.Errors);
        Assert.Equal(["when-2"], paste.NodeIds);
        Assert.Equal(["note-2"], paste.NoteIds);
        Assert.Equal(new WorkflowNote("note-2", "Hot rooms only", 240, 160), paste.Definition!.Notes[^1]);
        Assert.Equal(3, paste.Definition.Notes.Count);
        var elsewhere = _clipboard.Paste(Source, _clipboard.Copy(noted, ["note"]), 0, 0); // notes alone, into a workflow without them
        Assert.Empty(elsewhere.NodeIds);
        Assert.Equal(["note"], elsewhere.Definition!.Notes.Select(n => n.Id));
    }

    [Fact]
    public void Pasting_again_takes_the_next_free_number_of_the_same_stem()
    {
        var fragment = _clipboard.Copy(Source, ["set"]);
        var once = _clipboard.Paste(Source, fragment, 10, 10).Definition!;

        var twice = _clipboard.Paste(once, fragment, 20, 20);
        var ofTheCopy = _clipboard.Paste(twice.Definition!, _clipboard.Copy(twice.Definition!, ["set-3"]), 30, 30);

        Assert.Equal(["set-3"], twice.NodeIds);
        Assert.Equal(["set-4"], ofTheCopy.NodeIds);
    }

    [Fact]
    public void Between_workflows_a_node_keeps_its_id_when_it_is_free_there()
    {
        var other = Read("""{"nodes":[{"id":"start","type":"OnDeviceConnected"},{"id":"set","type":"Set","settings":{"name":"x","value":2}}],"links":[{"from":"start","to":"set"}]}""");
        var fragment = _clipboard.Copy(Source, ["when", "set", "collect"]);

        var paste = _clipboard.Paste(other, fragment, 0, 100);

        Assert.Equal(["when", "set-2", "collect"], paste.NodeIds);
        Assert.Equal(["start", "set", "when", "set-2", "collect"], paste.Definition!.Nodes.Select(n => n.Id));
        Assert.Contains(new WorkflowLink("when", "set-2") { FromPort = "true" }, paste.Definition.Links);
        Assert.Contains(new WorkflowLink("set-2", "collect"), paste.Definition.Links);
    }

    [Fact]
    public void A_second_trigger_is_refused_with_a_message_naming_both()
    {
        var fragment = _clipboard.Copy(Source, ["in", "when"]);

        var paste = _clipboard.Paste(Source, fragment, 10, 10);

        Assert.Null(paste.Definition);
        Assert.Empty(paste.NodeIds);
        var error = Assert.Single(paste.Errors);
        Assert.Contains("A workflow has one trigger", error);
        Assert.Contains("OnMessage (in)", error);
    }

    [Fact]
    public void A_fragment_with_two_triggers_is_refused_even_into_an_empty_workflow()
    {
        var fragment = """
            {"format":"iotroutes-nodes","nodes":[{"id":"a","type":"OnMessage"},{"id":"b","type":"OnDeviceConnected"}],"links":[]}
            """;

        var paste = _clipboard.Paste(WorkflowGraph.Empty, fragment, 0, 0);

        Assert.Contains("2 triggers (a, b)", Assert.Single(paste.Errors));
    }

    [Fact]
    public void A_trigger_pasted_into_a_workflow_without_one_becomes_its_first_node_and_the_result_compiles()
    {
        var target = Read("""{"nodes":[{"id":"tail","type":"Collect"}],"links":[]}""");
        var fragment = _clipboard.Copy(Source, ["in", "when", "set"]);

        var paste = _clipboard.Paste(target, fragment, 0, 0);
        var graph = paste.Definition! with { Links = [.. paste.Definition!.Links, new WorkflowLink("set", "tail")] };

        Assert.Equal(["in", "tail", "when", "set"], graph.Nodes.Select(n => n.Id));
        var (compiled, problems) = new WorkflowCompiler(TestActions.Catalog(new()), TestActions.NoLanguages, EmptyServices.Instance).Compile(graph);
        Assert.Empty(problems);
        Assert.NotNull(compiled);
    }

    [Theory]
    [InlineData("not json", "holds no workflow nodes")]
    [InlineData("""{"nodes":[{"id":"a","type":"Set"}],"links":[]}""", "holds no workflow nodes")]
    [InlineData("""{"format":"iotroutes-workflow","nodes":[]}""", "holds no workflow nodes")]
    [InlineData("""{"format":"iotroutes-nodes","nodes":[{"id":"a"}],"links":[]}""", "nodes[0].type: type is required.")]
    [InlineData("""{"format":"iotroutes-nodes","nodes":[{"id":"a","type":"Set"}],"links":[{"from":"a","to":"outside"}]}""", "links[0].to: No node has the id outside.")]
    [InlineData("""{"format":"iotroutes-nodes","nodes":[{"id":"a","type":"Set"},{"id":"b","type":"Teleport"}],"links":[]}""", "nodes[1]: Unknown node type Teleport.")]
    public void A_fragment_that_does_not_read_is_refused_with_the_reason(string fragment, string error)
    {
        var paste = _clipboard.Paste(Source, fragment, 0, 0);

        Assert.Null(paste.Definition);
        Assert.Contains(paste.Errors, e => e.Contains(error));
    }

    [Fact]
    public void More_nodes_than_a_workflow_holds_are_refused()
    {
        var many = new WorkflowGraph([.. Enumerable.Range(0, WorkflowGraph.MaxNodes).Select(i => new WorkflowNode($"n{i}", "Collect", null, [], 0, 0))], []);

        var paste = _clipboard.Paste(many, _clipboard.Copy(Source, ["collect"]), 0, 0);

        Assert.Contains($"at most {WorkflowGraph.MaxNodes} nodes", Assert.Single(paste.Errors));
    }

    [Fact]
    public void Pasted_settings_are_copies_so_editing_one_leaves_the_other_alone()
    {
        var fragment = _clipboard.Copy(Source, ["set"]);
        var graph = _clipboard.Paste(Source, fragment, 0, 0).Definition!;

        graph.Nodes.Single(n => n.Id == "set-2").Settings["value"] = 5;

        Assert.Equal(1, graph.Nodes.Single(n => n.Id == "set").Settings["value"]!.GetValue<double>());
    }

    [Fact]
    public void Ids_near_the_length_limit_stay_within_it()
    {
        var id = new string('a', 64);
        var graph = Read($$"""{"nodes":[{"id":"{{id}}","type":"Collect"}],"links":[]}""");

        var paste = _clipboard.Paste(graph, _clipboard.Copy(graph, [id]), 0, 0);

        Assert.Equal([new string('a', 62) + "-2"], paste.NodeIds);
        Assert.Empty(WorkflowGraph.Read(JsonNode.Parse(paste.Definition!.ToJson())).Errors);
    }
}

using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Tests.Core.Workflows;

/// <summary>The designer's edits and the merge of two people's drafts, as functions of definitions.</summary>
public sealed class WorkflowEditsTests
{
    private static WorkflowGraph Read(string json) => WorkflowGraph.Read(JsonNode.Parse(json)).Graph!;

    private static readonly WorkflowGraph Start = Read("""
        {"nodes":[{"id":"in","type":"OnMessage","x":0,"y":0},{"id":"f","type":"Filter","settings":{"condition":"t > 1"},"x":300,"y":0},
                  {"id":"s","type":"Switch","settings":{"cases":[{"name":"hot","condition":"t > 30"},{"name":"cold","condition":"t < 0"}]},"x":600,"y":0},
                  {"id":"log","type":"Log","settings":{"message":"x"},"x":900,"y":0}],
         "links":[{"from":"in","to":"f"},{"from":"f","fromPort":"true","to":"s"},{"from":"s","fromPort":"hot","to":"log"},
                  {"from":"s","fromPort":"cold","to":"log"},{"from":"s","fromPort":"error","to":"log"}]}
        """);

    [Fact]
    public void Removing_a_node_takes_its_links_and_leaves_the_given_definition_as_it_was()
    {
        var next = WorkflowEdits.Remove(Start, ["s"], []);

        Assert.Equal(["in", "f", "log"], next.Nodes.Select(n => n.Id));
        Assert.Equal([new WorkflowLink("in", "f")], next.Links);
        Assert.Equal(4, Start.Nodes.Count);
        Assert.Equal(5, Start.Links.Count);
    }

    [Fact]
    public void A_link_is_added_once_never_to_itself_and_never_to_a_missing_node()
    {
        var link = new WorkflowLink("f", "log") { FromPort = "false" };
        var next = WorkflowEdits.AddLink(Start, link);

        Assert.NotNull(next);
        Assert.Contains(link, next.Links);
        Assert.Null(WorkflowEdits.AddLink(next, link));
        Assert.Null(WorkflowEdits.AddLink(Start, new WorkflowLink("f", "f") { FromPort = "false" }));
        Assert.Null(WorkflowEdits.AddLink(Start, new WorkflowLink("f", "nowhere")));
    }

    [Fact]
    public void Changing_a_switch_drops_the_links_of_the_cases_it_no_longer_has_but_keeps_its_error_link()
    {
        var settings = JsonNode.Parse("""{"cases":[{"name":"hot","condition":"t > 35"}]}""")!.AsObject();
        var next = WorkflowEdits.UpdateNode(Start, "s", "Hot or not", settings, ["hot", "default"]);

        var node = next.Nodes.Single(n => n.Id == "s");
        Assert.Equal("Hot or not", node.Name);
        Assert.Equal("t > 35", node.Settings["cases"]![0]!["condition"]!.GetValue<string>());
        Assert.DoesNotContain(next.Links, l => l.FromPort == "cold");
        Assert.Contains(next.Links, l => l is { From: "s", FromPort: "hot" });
        Assert.Contains(next.Links, l => l is { From: "s", FromPort: "error" });
        settings["cases"] = new JsonArray(); // the definition keeps its own copy
        Assert.Single(node.Settings["cases"]!.AsArray());
    }

    [Fact]
    public void Moves_are_rounded_to_whole_pixels()
    {
        var next = WorkflowEdits.Move(Start, new Dictionary<string, (double, double)> { ["f"] = (310.4, 19.6), ["ghost"] = (1, 1) });

        Assert.Equal((310, 20), next.Nodes.Where(n => n.Id == "f").Select(n => ((int)n.X, (int)n.Y)).Single());
    }

    [Fact]
    public void A_merge_keeps_their_changes_adds_mine_and_names_the_nodes_we_both_changed()
    {
        // They renamed the filter's condition and removed the log; I moved the filter, changed the switch and added a node.
        var theirs = WorkflowEdits.Remove(
            WorkflowEdits.UpdateNode(Start, "f", null, JsonNode.Parse("""{"condition":"t > 2"}""")!.AsObject()), ["log"], []);
        var mine = WorkflowEdits.Move(Start, new Dictionary<string, (double, double)> { ["f"] = (300, 200) });
        mine = WorkflowEdits.UpdateNode(mine, "s", "mine", Start.Nodes[2].Settings);
        mine = mine with { Nodes = [.. mine.Nodes, new WorkflowNode("new", "Log", null, new JsonObject { ["message"] = "y" }, 0, 400)] };
        mine = WorkflowEdits.AddLink(mine, new WorkflowLink("f", "new") { FromPort = "false" })!;

        var merged = WorkflowMerge.ThreeWay(Start, mine, theirs);

        Assert.Equal(["in", "f", "s", "new"], merged.Graph.Nodes.Select(n => n.Id));
        var filter = merged.Graph.Nodes.Single(n => n.Id == "f");
        Assert.Equal((300.0, 200.0), (filter.X, filter.Y)); // both changed it: mine wins, and it is named
        Assert.Equal(["f"], merged.BothChanged);
        Assert.Equal("mine", merged.Graph.Nodes.Single(n => n.Id == "s").Name);
        Assert.Contains(new WorkflowLink("f", "new") { FromPort = "false" }, merged.Graph.Links);
        Assert.DoesNotContain(merged.Graph.Links, l => l.To == "log"); // their removal holds, with its links
    }

    [Fact]
    public void Notes_are_read_kept_by_every_edit_and_left_out_of_the_json_when_there_are_none()
    {
        var (withNote, id) = WorkflowEdits.AddNote(Start, "Cooling: ask Ann before changing", 10.4, 300);
        var edited = WorkflowEdits.UpdateNote(withNote, id, "Cooling: ask Ann first");
        var moved = WorkflowEdits.Move(edited, new Dictionary<string, (double, double)> { [id] = (50, 320) });
        var changed = WorkflowEdits.UpdateNode(WorkflowEdits.Remove(moved, ["log"], []), "f", null, JsonNode.Parse("""{"condition":"t > 2"}""")!.AsObject());

        var read = WorkflowGraph.Read(JsonNode.Parse(changed.ToJson())).Graph!;
        Assert.Equal([new WorkflowNote("note", "Cooling: ask Ann first", 50, 320)], read.Notes);
        Assert.Equal("note-2", WorkflowEdits.AddNote(read, "", 0, 0).Id);
        Assert.Empty(WorkflowEdits.Remove(read, ["note"], []).Notes);
        Assert.DoesNotContain("notes", Start.ToJson());
        Assert.Contains("A node or another note already has the id f", WorkflowGraph.Read(JsonNode.Parse("""
            {"nodes":[{"id":"f","type":"Filter"}],"links":[],"notes":[{"id":"f","text":"x"}]}
            """)).Errors["notes[0].id"][0]);
    }
}

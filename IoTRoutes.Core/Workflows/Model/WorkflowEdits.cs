using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Workflows.Model;

/// <summary>
/// The designer's edits as functions of a definition: each gives a new definition and leaves the given one as it was, so
/// the canvas only ever shows a definition and the undo history holds them whole. Adding nodes is a paste
/// (<see cref="Definitions.WorkflowClipboard"/>), which already keeps ids unique and a single trigger first.
/// </summary>
public static class WorkflowEdits
{
    /// <summary>Nodes at new positions (rounded to whole pixels; unknown ids ignored).</summary>
    public static WorkflowGraph Move(WorkflowGraph graph, IReadOnlyDictionary<string, (double X, double Y)> positions) =>
        graph with
        {
            Nodes = [.. graph.Nodes.Select(n => positions.TryGetValue(n.Id, out var at) ? n with { X = Math.Round(at.X), Y = Math.Round(at.Y) } : n)],
            Notes = [.. graph.Notes.Select(n => positions.TryGetValue(n.Id, out var at) ? n with { X = Math.Round(at.X), Y = Math.Round(at.Y) } : n)],
        };

    /// <summary>With a new comment note (id <c>note</c>, <c>note-2</c>…), and the id given.</summary>
    public static (WorkflowGraph Graph, string Id) AddNote(WorkflowGraph graph, string text, double x, double y)
    {
        var taken = graph.Nodes.Select(n => n.Id).Concat(graph.Notes.Select(n => n.Id)).ToHashSet(StringComparer.Ordinal);
        var id = "note";
        for (var n = 2; taken.Contains(id); n++) id = $"note-{n}";
        return (graph with { Notes = [.. graph.Notes, new WorkflowNote(id, text, Math.Round(x), Math.Round(y))] }, id);
    }

    /// <summary>A note with a new text.</summary>
    public static WorkflowGraph UpdateNote(WorkflowGraph graph, string id, string text) =>
        graph with { Notes = [.. graph.Notes.Select(n => n.Id == id ? n with { Text = text.Length > 2000 ? text[..2000] : text } : n)] };

    /// <summary>Without the given nodes or notes (and every link touching them) and the given links.</summary>
    public static WorkflowGraph Remove(WorkflowGraph graph, IReadOnlyCollection<string> nodeIds, IReadOnlyCollection<WorkflowLink> links)
    {
        var gone = nodeIds.ToHashSet(StringComparer.Ordinal);
        return graph with
        {
            Nodes = [.. graph.Nodes.Where(n => !gone.Contains(n.Id))],
            Links = [.. graph.Links.Where(l => !gone.Contains(l.From) && !gone.Contains(l.To) && !links.Contains(l))],
            Notes = [.. graph.Notes.Where(n => !gone.Contains(n.Id))],
        };
    }

    /// <summary>With one more link; null when it exists already, touches a missing node or loops on one node.</summary>
    public static WorkflowGraph? AddLink(WorkflowGraph graph, WorkflowLink link)
    {
        if (link.From == link.To || graph.Links.Contains(link)) return null;
        if (graph.Nodes.All(n => n.Id != link.From) || graph.Nodes.All(n => n.Id != link.To)) return null;
        if (graph.Links.Count >= WorkflowGraph.MaxLinks) return null;
        return graph with { Links = [.. graph.Links, link] };
    }

    /// <summary>
    /// A node with a new name and settings. Links from output ports the new settings no longer have (a Switch case
    /// renamed or removed) are dropped with it: a link to nowhere would only fail validation.
    /// </summary>
    public static WorkflowGraph UpdateNode(WorkflowGraph graph, string id, string? name, JsonObject settings, IReadOnlyCollection<string>? outputPorts = null)
    {
        var nodes = graph.Nodes.Select(n => n.Id == id ? n with { Name = string.IsNullOrWhiteSpace(name) ? null : name.Trim(), Settings = (JsonObject)settings.DeepClone() } : n);
        var links = outputPorts is null
            ? graph.Links
            : graph.Links.Where(l => l.From != id || l.FromPort == WorkflowPorts.Error || outputPorts.Contains(l.FromPort)).ToList();
        return graph with { Nodes = [.. nodes], Links = [.. links] };
    }

    /// <summary>The clipboard fragment of one new node (for <see cref="Definitions.WorkflowClipboard.Paste"/>), its id taken from its type.</summary>
    public static string NewNodeFragment(string type, JsonObject settings, double x, double y) => new JsonObject
    {
        ["format"] = Definitions.WorkflowClipboard.Format,
        ["nodes"] = new JsonArray(new JsonObject
        {
            ["id"] = IdStem(type), ["type"] = type, ["settings"] = settings.DeepClone(), ["x"] = Math.Round(x), ["y"] = Math.Round(y),
        }),
        ["links"] = new JsonArray(),
    }.ToJsonString();

    // OnMessage -> on-message, RaiseAlert -> raise-alert: readable ids, numbered by the paste when taken.
    private static string IdStem(string type)
    {
        var stem = new System.Text.StringBuilder();
        foreach (var c in type)
        {
            if (char.IsUpper(c) && stem.Length > 0) stem.Append('-');
            if (char.IsLetterOrDigit(c)) stem.Append(char.ToLowerInvariant(c));
        }

        return stem.Length == 0 ? "node" : stem.ToString();
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Core.Workflows.Definitions;

/// <summary>
/// Copy and paste of nodes (and comment notes) for the designer, as plain text so it works between workflows (and
/// browser tabs): <c>{"format":"iotroutes-nodes","nodes":[...],"links":[...],"notes":[...]}</c>, as the model writes them.
/// </summary>
public sealed partial class WorkflowClipboard(ActionCatalog catalog)
{
    public const string Format = "iotroutes-nodes";

    /// <summary>
    /// The nodes and notes of <paramref name="definition"/> whose ids are in <paramref name="ids"/> (others are ignored),
    /// in the definition's order, with the links between those nodes only.
    /// </summary>
    public string Copy(WorkflowGraph definition, IEnumerable<string> ids)
    {
        var selected = ids.ToHashSet(StringComparer.Ordinal);
        var notes = definition.Notes.Where(n => selected.Contains(n.Id)).ToList();
        var fragment = new Fragment(Format,
            [.. definition.Nodes.Where(n => selected.Contains(n.Id))],
            [.. definition.Links.Where(l => selected.Contains(l.From) && selected.Contains(l.To))],
            notes.Count > 0 ? notes : null);
        return JsonSerializer.Serialize(fragment, WorkflowGraph.Json);
    }

    /// <summary>
    /// Adds the nodes of <paramref name="fragment"/> to <paramref name="definition"/>, moved by (<paramref name="dx"/>,
    /// <paramref name="dy"/>), with their links. A node keeps its id when the definition has none like it, otherwise gets
    /// the next free one of its stem (<c>filter</c>, <c>filter-2</c> → <c>filter-3</c>). Refused, with the reasons: a
    /// fragment that does not read, unknown node types, a second trigger, more nodes or links than a workflow holds.
    /// </summary>
    public WorkflowPaste Paste(WorkflowGraph definition, string fragment, double dx, double dy)
    {
        var (pasted, errors) = Read(fragment);
        if (pasted is null) return WorkflowPaste.Refused(errors);
        errors.AddRange(pasted.Nodes.Select((n, i) => (n, i)).Where(p => catalog.Find(p.n.Type) is null)
            .Select(p => $"nodes[{p.i}]: Unknown node type {p.n.Type}."));
        var triggers = pasted.Nodes.Where(IsTrigger).ToList();
        var existing = definition.Nodes.FirstOrDefault(IsTrigger);
        if (triggers.Count > 1)
        {
            errors.Add($"The copied nodes hold {triggers.Count} triggers ({string.Join(", ", triggers.Select(n => n.Id))}); a workflow has one.");
        }
        else if (triggers.Count == 1 && existing is not null)
        {
            errors.Add($"A workflow has one trigger and this one has {existing.Type} ({existing.Name ?? existing.Id}): " +
                       $"copy the nodes without the trigger {triggers[0].Type} ({triggers[0].Name ?? triggers[0].Id}), or delete this workflow's trigger first.");
        }

        if (definition.Nodes.Count + pasted.Nodes.Count > WorkflowGraph.MaxNodes) errors.Add($"A workflow has at most {WorkflowGraph.MaxNodes} nodes.");
        if (definition.Links.Count + pasted.Links.Count > WorkflowGraph.MaxLinks) errors.Add($"A workflow has at most {WorkflowGraph.MaxLinks} links.");
        if (definition.Notes.Count + pasted.Notes.Count > WorkflowGraph.MaxNotes) errors.Add($"A workflow has at most {WorkflowGraph.MaxNotes} notes.");
        if (errors.Count > 0) return WorkflowPaste.Refused(errors);

        var used = definition.Nodes.Select(n => n.Id).Concat(definition.Notes.Select(n => n.Id)).ToHashSet(StringComparer.Ordinal);
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in pasted.Nodes)
        {
            var id = used.Contains(node.Id) ? FreeId(node.Id, used) : node.Id;
            used.Add(id);
            ids[node.Id] = id;
        }

        var notes = new List<WorkflowNote>();
        foreach (var note in pasted.Notes)
        {
            var id = used.Contains(note.Id) ? FreeId(note.Id, used) : note.Id;
            used.Add(id);
            notes.Add(note with { Id = id, X = note.X + dx, Y = note.Y + dy });
        }

        var nodes = pasted.Nodes.Select(n => n with { Id = ids[n.Id], Settings = (JsonObject)n.Settings.DeepClone(), X = n.X + dx, Y = n.Y + dy }).ToList();
        var links = pasted.Links.Select(l => l with { From = ids[l.From], To = ids[l.To] });
        // The trigger is the first node: one pasted into a workflow without a trigger goes first.
        var trigger = triggers.Count == 1 ? ids[triggers[0].Id] : null;
        List<WorkflowNode> ordered = trigger is null
            ? [.. definition.Nodes, .. nodes]
            : [.. nodes.Where(n => n.Id == trigger), .. definition.Nodes, .. nodes.Where(n => n.Id != trigger)];
        return new WorkflowPaste(definition with { Nodes = ordered, Links = [.. definition.Links, .. links], Notes = [.. definition.Notes, .. notes] },
            [.. nodes.Select(n => n.Id)], []) { NoteIds = [.. notes.Select(n => n.Id)] };
    }

    private bool IsTrigger(WorkflowNode node) => catalog.Find(node.Type)?.Kind == ActionKind.Trigger;

    private static (WorkflowGraph? Graph, List<string> Errors) Read(string fragment)
    {
        const string notNodes = "The clipboard holds no workflow nodes (copy them from a workflow first).";
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(fragment);
        }
        catch (JsonException)
        {
            return (null, [notNodes]);
        }

        if (root is not JsonObject o || o["format"] is not JsonValue format || !format.TryGetValue<string>(out var name) || name != Format)
        {
            return (null, [notNodes]);
        }

        var (graph, errors) = WorkflowGraph.Read(o);
        return (graph, [.. errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))]);
    }

    /// <summary>The next free <c>stem-n</c> (n from 2), the stem being the id without a trailing <c>-n</c>; at most 64 characters.</summary>
    private static string FreeId(string id, HashSet<string> used)
    {
        var stem = NumberedSuffix().Replace(id, "");
        if (stem.Length == 0) stem = id;
        for (var n = 2; ; n++)
        {
            var suffix = $"-{n}";
            var candidate = (stem.Length + suffix.Length > 64 ? stem[..(64 - suffix.Length)] : stem) + suffix;
            if (!used.Contains(candidate)) return candidate;
        }
    }

    [GeneratedRegex(@"-\d+$")]
    private static partial Regex NumberedSuffix();

    private sealed record Fragment(
        string Format, IReadOnlyList<WorkflowNode> Nodes, IReadOnlyList<WorkflowLink> Links,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<WorkflowNote>? Notes);
}

/// <summary>
/// A paste: the new definition and the ids of the pasted nodes and notes (for the canvas to select), or why it was
/// refused (<see cref="Definition"/> null, <see cref="Errors"/> each a sentence).
/// </summary>
public sealed record WorkflowPaste(WorkflowGraph? Definition, IReadOnlyList<string> NodeIds, IReadOnlyList<string> Errors)
{
    public IReadOnlyList<string> NoteIds { get; init; } = [];

    public static WorkflowPaste Refused(IReadOnlyList<string> errors) => new(null, [], errors);
}

using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Workflows.Model;

/// <summary>
/// What changed from one graph to another. Nodes are matched by id: added, removed, and changed (type, name or
/// settings; the details in <see cref="NodesRenamed"/>, <see cref="NodesRetyped"/> and <see cref="SettingsChanged"/>,
/// one entry per top-level setting with its value before and after). Links added and removed. Moving a node on the
/// canvas is not a change of what runs: it is reported apart (<see cref="NodesMoved"/>) and leaves <see cref="IsEmpty"/> true.
/// </summary>
public sealed record WorkflowDiff(
    IReadOnlyList<string> NodesAdded, IReadOnlyList<string> NodesRemoved, IReadOnlyList<string> NodesChanged,
    IReadOnlyList<WorkflowLink> LinksAdded, IReadOnlyList<WorkflowLink> LinksRemoved,
    IReadOnlyList<WorkflowNodeRename> NodesRenamed, IReadOnlyList<WorkflowNodeRetype> NodesRetyped,
    IReadOnlyList<WorkflowSettingChange> SettingsChanged, IReadOnlyList<WorkflowNodeMove> NodesMoved)
{
    /// <summary>Nothing that runs changed (nodes may have moved).</summary>
    public bool IsEmpty => NodesAdded.Count + NodesRemoved.Count + NodesChanged.Count + LinksAdded.Count + LinksRemoved.Count == 0;

    /// <summary>One sentence of counts: <c>2 nodes added, 1 setting changed, 1 link removed; 3 nodes moved</c>.</summary>
    public string Summary
    {
        get
        {
            var parts = new List<string>();
            Count(parts, NodesAdded.Count, "node added", "nodes added");
            Count(parts, NodesRemoved.Count, "node removed", "nodes removed");
            Count(parts, NodesRenamed.Count, "node renamed", "nodes renamed");
            Count(parts, NodesRetyped.Count, "node changed type", "nodes changed type");
            Count(parts, SettingsChanged.Count, "setting changed", "settings changed");
            Count(parts, LinksAdded.Count, "link added", "links added");
            Count(parts, LinksRemoved.Count, "link removed", "links removed");
            var moved = new List<string>();
            Count(moved, NodesMoved.Count, "node moved", "nodes moved");
            return (parts.Count, moved.Count) switch
            {
                (0, 0) => "No changes",
                (0, _) => moved[0],
                (_, 0) => string.Join(", ", parts),
                _ => $"{string.Join(", ", parts)}; {moved[0]}",
            };
        }
    }

    public static WorkflowDiff Between(WorkflowGraph before, WorkflowGraph after)
    {
        var old = before.Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var now = after.Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var oldLinks = before.Links.ToHashSet();
        var newLinks = after.Links.ToHashSet();
        var renamed = new List<WorkflowNodeRename>();
        var retyped = new List<WorkflowNodeRetype>();
        var settings = new List<WorkflowSettingChange>();
        var moved = new List<WorkflowNodeMove>();
        var changed = new List<string>();
        foreach (var node in after.Nodes)
        {
            if (!old.TryGetValue(node.Id, out var was)) continue;
            if (was.Name != node.Name) renamed.Add(new(node.Id, was.Name, node.Name));
            if (was.Type != node.Type) retyped.Add(new(node.Id, was.Type, node.Type));
            var settingsBefore = settings.Count;
            settings.AddRange(SettingChanges(was, node));
            if (was.X != node.X || was.Y != node.Y) moved.Add(new(node.Id, was.X, was.Y, node.X, node.Y));
            if (was.Name != node.Name || was.Type != node.Type || settings.Count > settingsBefore) changed.Add(node.Id);
        }

        return new WorkflowDiff(
            [.. after.Nodes.Where(n => !old.ContainsKey(n.Id)).Select(n => n.Id)],
            [.. before.Nodes.Where(n => !now.ContainsKey(n.Id)).Select(n => n.Id)],
            changed,
            [.. after.Links.Where(l => !oldLinks.Contains(l))],
            [.. before.Links.Where(l => !newLinks.Contains(l))],
            renamed, retyped, settings, moved);
    }

    /// <summary>One line for an audit entry or a conflict message: <c>nodes added: a; changed: b; links removed: 1</c>.</summary>
    public string Describe()
    {
        if (IsEmpty) return "no change to nodes or links";
        var parts = new List<string>();
        if (NodesAdded.Count > 0) parts.Add($"nodes added: {string.Join(", ", NodesAdded)}");
        if (NodesRemoved.Count > 0) parts.Add($"nodes removed: {string.Join(", ", NodesRemoved)}");
        if (NodesChanged.Count > 0) parts.Add($"nodes changed: {string.Join(", ", NodesChanged)}");
        if (LinksAdded.Count > 0) parts.Add($"links added: {string.Join(", ", LinksAdded.Select(Show))}");
        if (LinksRemoved.Count > 0) parts.Add($"links removed: {string.Join(", ", LinksRemoved.Select(Show))}");
        return string.Join("; ", parts);
    }

    private static string Show(WorkflowLink l) => $"{l.From}.{l.FromPort} → {l.To}";

    // A setting absent on one side and null on the other is no change: actions read both the same way.
    private static IEnumerable<WorkflowSettingChange> SettingChanges(WorkflowNode before, WorkflowNode after)
    {
        foreach (var name in before.Settings.Select(s => s.Key).Union(after.Settings.Select(s => s.Key), StringComparer.Ordinal))
        {
            var was = before.Settings[name];
            var now = after.Settings[name];
            if (!JsonNode.DeepEquals(was, now)) yield return new(after.Id, name, was?.DeepClone(), now?.DeepClone());
        }
    }

    private static void Count(List<string> parts, int count, string one, string many)
    {
        if (count > 0) parts.Add($"{count} {(count == 1 ? one : many)}");
    }
}

/// <summary>A node's name changed (null: it had, or has, none).</summary>
public sealed record WorkflowNodeRename(string NodeId, string? Before, string? After);

/// <summary>A node with the same id has another type (only through the API or an import: the canvas replaces the node).</summary>
public sealed record WorkflowNodeRetype(string NodeId, string Before, string After);

/// <summary>One top-level setting of a node: its value before and after (null: absent).</summary>
public sealed record WorkflowSettingChange(string NodeId, string Setting, JsonNode? Before, JsonNode? After);

/// <summary>A node drawn elsewhere: a change of position only, which changes nothing that runs.</summary>
public sealed record WorkflowNodeMove(string NodeId, double FromX, double FromY, double ToX, double ToY);

using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Workflows.Model;

/// <summary>
/// What changed from one graph to another: nodes added and removed (by id), nodes whose type, name or settings changed,
/// and links added and removed. Moving a node on the canvas is not a change of what runs, so positions are ignored.
/// </summary>
public sealed record WorkflowDiff(
    IReadOnlyList<string> NodesAdded, IReadOnlyList<string> NodesRemoved, IReadOnlyList<string> NodesChanged,
    IReadOnlyList<WorkflowLink> LinksAdded, IReadOnlyList<WorkflowLink> LinksRemoved)
{
    public bool IsEmpty => NodesAdded.Count + NodesRemoved.Count + NodesChanged.Count + LinksAdded.Count + LinksRemoved.Count == 0;

    public static WorkflowDiff Between(WorkflowGraph before, WorkflowGraph after)
    {
        var old = before.Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var now = after.Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var oldLinks = before.Links.ToHashSet();
        var newLinks = after.Links.ToHashSet();
        return new WorkflowDiff(
            [.. after.Nodes.Where(n => !old.ContainsKey(n.Id)).Select(n => n.Id)],
            [.. before.Nodes.Where(n => !now.ContainsKey(n.Id)).Select(n => n.Id)],
            [.. after.Nodes.Where(n => old.TryGetValue(n.Id, out var was) && !SameBehaviour(was, n)).Select(n => n.Id)],
            [.. after.Links.Where(l => !oldLinks.Contains(l))],
            [.. before.Links.Where(l => !newLinks.Contains(l))]);
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

    private static bool SameBehaviour(WorkflowNode a, WorkflowNode b) =>
        a.Type == b.Type && a.Name == b.Name && JsonNode.DeepEquals(a.Settings, b.Settings);
}

namespace IoTRoutes.Core.Workflows.Model;

/// <summary>
/// Two people's edits of one draft put together: theirs (saved first) plus what I changed since the draft we both
/// started from. Node by node and link by link: a node only I changed (added, moved, set, removed) is mine, one only they
/// changed is theirs, and one we both changed is mine and named in <see cref="MergedDraft.BothChanged"/>, so the user
/// knows which of their edits they overrode. Links to a node that no longer exists are dropped.
/// </summary>
public static class WorkflowMerge
{
    public static MergedDraft ThreeWay(WorkflowGraph common, WorkflowGraph mine, WorkflowGraph theirs)
    {
        var before = common.Nodes.ToDictionary(n => n.Id, Text, StringComparer.Ordinal);
        var mineById = mine.Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var theirsById = theirs.Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var both = new List<string>();
        var nodes = new List<WorkflowNode>();
        // Their order first (the trigger stays first), then what I added.
        foreach (var id in theirs.Nodes.Select(n => n.Id).Concat(mine.Nodes.Select(n => n.Id).Where(id => !theirsById.ContainsKey(id))))
        {
            var original = before.GetValueOrDefault(id);
            var mineNode = mineById.GetValueOrDefault(id);
            var theirNode = theirsById.GetValueOrDefault(id);
            var iChanged = Text(mineNode) != original;
            var theyChanged = Text(theirNode) != original;
            if (iChanged && theyChanged && Text(mineNode) != Text(theirNode)) both.Add(id);
            var kept = iChanged ? mineNode : theirNode;
            if (kept is not null) nodes.Add(kept);
        }

        var present = nodes.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        var added = mine.Links.Except(common.Links).ToHashSet();
        var removed = common.Links.Except(mine.Links).ToHashSet();
        var links = theirs.Links.Where(l => !removed.Contains(l)).Concat(added.Where(l => !theirs.Links.Contains(l)))
            .Where(l => present.Contains(l.From) && present.Contains(l.To)).ToList();
        return new MergedDraft(new WorkflowGraph(nodes, links) { Notes = MergeNotes(common, mine, theirs) }, both);
    }

    /// <summary>Notes as nodes: one only I changed (added, moved, edited, removed) is mine, otherwise theirs.</summary>
    private static List<WorkflowNote> MergeNotes(WorkflowGraph common, WorkflowGraph mine, WorkflowGraph theirs)
    {
        var before = common.Notes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var mineById = mine.Notes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var theirsById = theirs.Notes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var notes = new List<WorkflowNote>();
        foreach (var id in theirs.Notes.Select(n => n.Id).Concat(mine.Notes.Select(n => n.Id).Where(id => !theirsById.ContainsKey(id))))
        {
            var mineNote = mineById.GetValueOrDefault(id);
            var kept = mineNote != before.GetValueOrDefault(id) ? mineNote : theirsById.GetValueOrDefault(id);
            if (kept is not null) notes.Add(kept);
        }

        return notes;
    }

    private static string? Text(WorkflowNode? node) =>
        node is null ? null : $"{node.Type}\n{node.Name}\n{node.X}\n{node.Y}\n{node.Settings.ToJsonString()}";
}

public sealed record MergedDraft(WorkflowGraph Graph, IReadOnlyList<string> BothChanged);

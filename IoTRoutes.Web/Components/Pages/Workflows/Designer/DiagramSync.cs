using System.Text.Json.Nodes;
using Blazor.Diagrams;
using Blazor.Diagrams.Core.Anchors;
using Blazor.Diagrams.Core.Models;
using Blazor.Diagrams.Core.Models.Base;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Web.Components.Pages.Workflows.Designer;

/// <summary>
/// Draws a definition on the diagram by difference: nodes and links the definition no longer has go, new ones come,
/// changed ones are updated in place (a node whose ports changed is drawn again). The diagram is never read back as the
/// truth: every edit is made to the definition first, or, for what the diagram does itself (a drag, a new link), taken
/// from it once and recorded in the definition.
/// </summary>
public sealed class DiagramSync(BlazorDiagram diagram, ActionCatalog catalog)
{
    /// <summary>Nodes and ports locked: a user who may only look cannot drag or link.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>True while the diagram is being changed to match a definition: its events are not edits then.</summary>
    public bool Syncing { get; private set; }

    public void Show(WorkflowGraph graph, IReadOnlyList<WorkflowProblem> problems)
    {
        Syncing = true;
        try
        {
            diagram.Batch(() => Apply(graph, problems));
        }
        finally
        {
            Syncing = false;
        }
    }

    /// <summary>Output ports of a node as the engine sees them, <c>error</c> last (triggers have none).</summary>
    public IReadOnlyList<string> OutputsOf(WorkflowNode node)
    {
        var action = catalog.Find(node.Type);
        IReadOnlyList<string> ports;
        try
        {
            ports = action?.OutputPorts(node.Settings) ?? [WorkflowPorts.Out];
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException)
        {
            ports = [WorkflowPorts.Out];
        }

        return action?.Kind == ActionKind.Trigger ? ports : [.. ports.Where(p => p != WorkflowPorts.Error), WorkflowPorts.Error];
    }

    private void Apply(WorkflowGraph graph, IReadOnlyList<WorkflowProblem> problems)
    {
        var drawn = diagram.Nodes.OfType<WorkflowNodeModel>().ToDictionary(n => n.Id, StringComparer.Ordinal);
        var wanted = graph.Nodes.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in drawn.Values.Where(n => !wanted.Contains(n.Id)).ToList())
        {
            diagram.Nodes.Remove(gone);
            drawn.Remove(gone.Id);
        }

        var problemsByNode = problems.Where(p => p.NodeId is not null).GroupBy(p => p.NodeId!)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(p => p.Setting is null ? p.Message : $"{p.Setting}: {p.Message}")]);
        foreach (var node in graph.Nodes)
        {
            var outputs = OutputsOf(node);
            if (drawn.TryGetValue(node.Id, out var model) && (model.Node.Type != node.Type || !model.Outputs.SequenceEqual(outputs)))
            {
                diagram.Nodes.Remove(model);
                model = null;
            }

            if (model is null)
            {
                model = Create(node, outputs);
                model.Visible = InView(model.GetBounds()); // virtualization looks again only when the view changes
                diagram.Nodes.Add(model);
                drawn[node.Id] = model;
            }
            else if (model.Position.X != node.X || model.Position.Y != node.Y)
            {
                model.SetPosition(node.X, node.Y);
            }

            model.Node = node;
            model.Summary = Summarize(model.Action, node.Settings);
            model.Problems = problemsByNode.GetValueOrDefault(node.Id, []);
            model.Refresh();
        }

        var notes = diagram.Nodes.OfType<NoteModel>().ToDictionary(n => n.Id, StringComparer.Ordinal);
        var wantedNotes = graph.Notes.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in notes.Values.Where(n => !wantedNotes.Contains(n.Id)).ToList()) diagram.Nodes.Remove(gone);
        foreach (var note in graph.Notes)
        {
            if (notes.TryGetValue(note.Id, out var drawnNote))
            {
                if (drawnNote.Position.X != note.X || drawnNote.Position.Y != note.Y) drawnNote.SetPosition(note.X, note.Y);
                drawnNote.Note = note;
                drawnNote.Refresh();
                continue;
            }

            var added = new NoteModel(note) { Locked = ReadOnly };
            added.Visible = InView(added.GetBounds());
            diagram.Nodes.Add(added);
        }

        var links = diagram.Links.OfType<LinkModel>().ToList();
        var wantedLinks = graph.Links.ToHashSet(); // one lookup per drawn link: a workflow may have 2,000
        var present = new HashSet<WorkflowLink>();
        foreach (var link in links)
        {
            if (AsWorkflowLink(link) is { } known && wantedLinks.Contains(known) && present.Add(known)) continue;
            diagram.Links.Remove(link);
        }

        foreach (var link in graph.Links.Where(l => !present.Contains(l)))
        {
            var from = drawn.GetValueOrDefault(link.From)?.PortNamed(link.FromPort, input: false);
            var to = drawn.GetValueOrDefault(link.To)?.PortNamed(link.ToPort, input: true);
            if (from is null || to is null) continue;
            var drawnLink = NewLink(from, to);
            drawnLink.Visible = InView(from.GetBounds()) || InView(to.GetBounds());
            diagram.Links.Add(drawnLink);
        }
    }

    /// <summary>
    /// Whether something is in the visible part of the canvas. Before the canvas knows its size nothing is: the first
    /// render then draws no node, and the diagram's virtualization shows those in view once the size is known, rather
    /// than every node of a large workflow being drawn once for nothing.
    /// </summary>
    private bool InView(Blazor.Diagrams.Core.Geometry.Rectangle? bounds)
    {
        if (diagram.Container is not { } container || bounds is null) return false;
        var (zoom, pan) = (diagram.Zoom, diagram.Pan);
        var left = bounds.Left * zoom + pan.X;
        var top = bounds.Top * zoom + pan.Y;
        return left + bounds.Width * zoom > 0 && left < container.Width && top + bounds.Height * zoom > 0 && top < container.Height;
    }

    public static LinkModel NewLink(PortModel from, PortModel to) => Style(new LinkModel(from, to));

    public static LinkModel Style(LinkModel link)
    {
        link.TargetMarker = LinkMarker.Arrow;
        link.Width = 2;
        link.Color = null;
        if (link.Source is SinglePortAnchor { Port: WorkflowPortModel { Name: WorkflowPorts.Error } }) link.Color = "#d32f2f";
        return link;
    }

    /// <summary>The definition's link a drawn link stands for; null while it is being drawn (no target yet).</summary>
    public static WorkflowLink? AsWorkflowLink(BaseLinkModel link) =>
        link is { Source: SinglePortAnchor { Port: WorkflowPortModel from }, Target: SinglePortAnchor { Port: WorkflowPortModel to } } && !from.IsInput && to.IsInput
            ? new WorkflowLink(from.Parent.Id, to.Parent.Id) { FromPort = from.Name, ToPort = to.Name }
            : null;

    private WorkflowNodeModel Create(WorkflowNode node, IReadOnlyList<string> outputs)
    {
        var action = catalog.Find(node.Type);
        var model = new WorkflowNodeModel(node, action, outputs) { Locked = ReadOnly };
        if (action?.Kind != ActionKind.Trigger) model.AddPort(new WorkflowPortModel(model, WorkflowPorts.In, input: true, NodeLayout.Input));
        for (var i = 0; i < outputs.Count; i++)
        {
            model.AddPort(new WorkflowPortModel(model, outputs[i], input: false, NodeLayout.Output(i)) { Locked = ReadOnly });
        }

        return model;
    }

    private static string Summarize(IWorkflowAction? action, JsonObject settings)
    {
        if (action is null) return "Unknown type";
        try
        {
            return action.Summarize(settings);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or InvalidCastException)
        {
            return "";
        }
    }
}

using System.Text.Json.Nodes;
using Blazor.Diagrams.Core.Models;
using IoTRoutes.Core.Workflows.Definitions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;
using MudBlazor;

namespace IoTRoutes.Web.Components.Pages.Workflows.Designer;

/// <summary>Nodes added from the palette: dropped where the pointer is (on a link: in between), or double-clicked into view.</summary>
public sealed partial class WorkflowDesigner
{
    private async Task AddNodeAsync(string type, (double X, double Y)? at)
    {
        if (!CanEdit) return;
        if (type == Palette.NoteType)
        {
            var at2 = at ?? CenterOfView();
            var (withNote, noteId) = WorkflowEdits.AddNote(_graph, "", at2.X, at2.Y);
            await EditAsync(withNote, "add note");
            Select([noteId]);
            return;
        }

        if (Catalog.Find(type) is not { } action) return;
        if (action.Kind == ActionKind.Trigger && _graph.Nodes.FirstOrDefault(n => Catalog.Find(n.Type)?.Kind == ActionKind.Trigger) is { } trigger)
        {
            Snackbar.Add($"A workflow has one trigger and this one starts with {trigger.Type}: delete it first to start with {type}.", Severity.Warning);
            return;
        }

        var position = at ?? CenterOfView();
        var settings = new JsonObject();
        foreach (var setting in action.Settings.Where(s => s.Default is not null)) settings[setting.Name] = setting.Default!.DeepClone();
        var paste = Clipboard.Paste(_graph, WorkflowEdits.NewNodeFragment(type, settings, position.X, position.Y), 0, 0);
        if (paste.Definition is null)
        {
            Snackbar.Add(string.Join(" ", paste.Errors), Severity.Warning);
            return;
        }

        var added = paste.NodeIds[0];
        var next = at is { } point ? SpliceIntoLinkAt(paste.Definition, added, point) : paste.Definition;
        await EditAsync(next, $"add {type}");
        Select([added]);
    }

    /// <summary>A node dropped on a link goes in between: from → node → to, by the node's first output.</summary>
    private WorkflowGraph SpliceIntoLinkAt(WorkflowGraph graph, string nodeId, (double X, double Y) at)
    {
        var node = graph.Nodes.First(n => n.Id == nodeId);
        if (Catalog.Find(node.Type)?.Kind == ActionKind.Trigger) return graph;
        var centre = (X: at.X + NodeLayout.Width / 2, Y: at.Y + NodeLayout.Header / 2);
        var hit = _diagram.Links.OfType<LinkModel>().Select(l => (Link: DiagramSync.AsWorkflowLink(l), Model: l))
            .Where(l => l.Link is not null && l.Link.From != nodeId && l.Link.To != nodeId)
            .Select(l => (l.Link, Distance: DistanceToSegment(centre, l.Model)))
            .Where(l => l.Distance < 40).OrderBy(l => l.Distance).FirstOrDefault();
        if (hit.Link is not { } split) return graph;
        var output = _sync.OutputsOf(node)[0];
        var without = WorkflowEdits.Remove(graph, [], [split]);
        var first = WorkflowEdits.AddLink(without, split with { To = nodeId, ToPort = WorkflowPorts.In }) ?? without;
        return WorkflowEdits.AddLink(first, new WorkflowLink(nodeId, split.To) { FromPort = output, ToPort = split.ToPort }) ?? first;
    }

    private static double DistanceToSegment((double X, double Y) p, LinkModel link)
    {
        if (link.Source is not Blazor.Diagrams.Core.Anchors.SinglePortAnchor { Port: var a } || link.Target is not Blazor.Diagrams.Core.Anchors.SinglePortAnchor { Port: var b }) return double.MaxValue;
        var (ax, ay, bx, by) = (a.MiddlePosition.X, a.MiddlePosition.Y, b.MiddlePosition.X, b.MiddlePosition.Y);
        var (dx, dy) = (bx - ax, by - ay);
        var length = dx * dx + dy * dy;
        var t = length == 0 ? 0 : Math.Clamp(((p.X - ax) * dx + (p.Y - ay) * dy) / length, 0, 1);
        var (cx, cy) = (ax + t * dx, ay + t * dy);
        return Math.Sqrt((p.X - cx) * (p.X - cx) + (p.Y - cy) * (p.Y - cy));
    }

    private async Task DropAsync(DragEventArgs e)
    {
        if (_dragType is not { } type) return;
        _dragType = null;
        var point = _diagram.GetRelativeMousePoint(e.ClientX, e.ClientY);
        await AddNodeAsync(type, (point.X - NodeLayout.Width / 2, point.Y - NodeLayout.Header / 2));
    }

    private (double X, double Y) CenterOfView()
    {
        var container = _diagram.Container;
        var centre = container is null ? new Blazor.Diagrams.Core.Geometry.Point(200, 150)
            : _diagram.GetRelativePoint(container.Left + container.Width / 2, container.Top + container.Height / 2);
        var offset = _graph.Nodes.Count(n => Math.Abs(n.X - centre.X) < 20) * 30; // a second add does not hide the first
        return (centre.X - NodeLayout.Width / 2 + offset, centre.Y - NodeLayout.Header + offset);
    }
}

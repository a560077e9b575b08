using Blazor.Diagrams.Core.Geometry;
using Blazor.Diagrams.Core.Models;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Web.Components.Pages.Workflows.Designer;

/// <summary>
/// Fixed sizes of a node on the canvas: the widget is laid out from them and the ports are placed from them, so nothing
/// is measured in the browser (every measure is a round trip over the circuit).
/// </summary>
public static class NodeLayout
{
    public const double Width = 220;
    public const double Header = 50;
    public const double Row = 22;
    public const double Port = 12;

    public static double HeightOf(int outputs) => Header + Math.Max(1, outputs) * Row + 6;

    /// <summary>Where output port <paramref name="index"/> sits, relative to the node.</summary>
    public static Point Output(int index) => new(Width - Port / 2, Header + index * Row + (Row - Port) / 2);

    public static Point Input => new(-Port / 2, Header / 2 - Port / 2);
}

/// <summary>A workflow node drawn on the canvas: what the widget shows. The definition stays the truth; this is redrawn from it.</summary>
public sealed class WorkflowNodeModel : NodeModel
{
    public WorkflowNodeModel(WorkflowNode node, IWorkflowAction? action, IReadOnlyList<string> outputs)
        : base(node.Id, new Point(node.X, node.Y))
    {
        Node = node;
        Action = action;
        Outputs = outputs;
        Size = new Size(NodeLayout.Width, NodeLayout.HeightOf(outputs.Count));
    }

    public WorkflowNode Node { get; set; }

    public IWorkflowAction? Action { get; }

    public IReadOnlyList<string> Outputs { get; }

    public string Summary { get; set; } = "";

    public IReadOnlyList<string> Problems { get; set; } = [];

    /// <summary>Live counters of the active version (in, per output port, errors), when it is published and unchanged.</summary>
    public NodeCountersView? Counters { get; set; }

    /// <summary>What a test run did here: the port taken or the error, drawn over the node.</summary>
    public NodeTraceView? Trace { get; set; }

    public bool IsTrigger => Action?.Kind == ActionKind.Trigger;

    public WorkflowPortModel? PortNamed(string name, bool input) =>
        Ports.OfType<WorkflowPortModel>().FirstOrDefault(p => p.IsInput == input && p.Name == name);
}

/// <summary>A port of a workflow node: its input (<c>in</c>) or one of its outputs (<c>true</c>, a Switch case, <c>error</c>).</summary>
public sealed class WorkflowPortModel : PortModel
{
    public WorkflowPortModel(WorkflowNodeModel parent, string name, bool input, Point offset)
        : base($"{parent.Id}:{(input ? "in" : "out")}:{name}", parent, input ? PortAlignment.Left : PortAlignment.Right,
            new Point(parent.Position.X + offset.X, parent.Position.Y + offset.Y), new Size(NodeLayout.Port, NodeLayout.Port))
    {
        Name = name;
        IsInput = input;
        Initialized = true;
    }

    public string Name { get; }

    public bool IsInput { get; }

    /// <summary>An output links to an input of another node; nothing else.</summary>
    public override bool CanAttachTo(Blazor.Diagrams.Core.Models.Base.ILinkable other) =>
        other is WorkflowPortModel port && !IsInput && port.IsInput && port.Parent != Parent;
}

public sealed record NodeCountersView(long In, long Errors, IReadOnlyDictionary<string, long> Out)
{
    /// <summary>The same numbers (record equality would compare the port dictionaries by reference).</summary>
    public bool SameAs(NodeCountersView? other) =>
        other is not null && other.In == In && other.Errors == Errors && other.Out.Count == Out.Count
        && Out.All(p => other.Out.TryGetValue(p.Key, out var n) && n == p.Value);
}

public sealed record NodeTraceView(string? Port, string? Error, TimeSpan Elapsed);

/// <summary>A comment note drawn on the canvas: text for people, no ports; the engine never reads it.</summary>
public sealed class NoteModel : NodeModel
{
    public const double Width = 220;
    public const double Height = 110;

    public NoteModel(WorkflowNote note) : base(note.Id, new Point(note.X, note.Y))
    {
        Note = note;
        Size = new Size(Width, Height);
    }

    public WorkflowNote Note { get; set; }
}

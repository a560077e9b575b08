using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Core.Workflows.Actions;

/// <summary>The common shape of an action: one output port <c>out</c> unless it says otherwise, no summary unless it has one.</summary>
public abstract class WorkflowAction : IWorkflowAction
{
    private static readonly IReadOnlyList<string> OutOnly = [WorkflowPorts.Out];

    public abstract string Type { get; }

    public virtual ActionKind Kind => ActionKind.Action;

    public abstract string Category { get; }

    public abstract string Description { get; }

    public abstract IReadOnlyList<SettingDescriptor> Settings { get; }

    public virtual IReadOnlyList<string> OutputPorts(JsonObject settings) => OutOnly;

    public virtual string Summarize(JsonObject settings) => "";

    public abstract NodeRunner? Compile(NodeCompilation node);

    /// <summary>A setting's text for a summary, shortened.</summary>
    protected static string Short(JsonObject settings, string name, int max = 40) =>
        settings[name] is JsonValue v && v.TryGetValue<string>(out var text) ? (text.Length <= max ? text : text[..(max - 1)] + "…") : "";
}

using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Engine;

namespace IoTRoutes.Core.Workflows.Actions;

/// <summary>Sends the item on <c>true</c> when its condition holds, on <c>false</c> otherwise (a missing field is null: not true).</summary>
public sealed class FilterAction : WorkflowAction
{
    private static readonly IReadOnlyList<string> Ports = ["true", "false"];

    public override string Type => "Filter";

    public override string Category => "Flow";

    public override string Description => "Lets through the items for which a condition holds.";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        new("condition", SettingKind.Expression, "Condition", Required: true, Help: "For example temp > 30 && device.name != 'lab'."),
    ];

    public override IReadOnlyList<string> OutputPorts(JsonObject settings) => Ports;

    public override string Summarize(JsonObject settings) => Short(settings, "condition");

    public override NodeRunner? Compile(NodeCompilation node) => node.Expression("condition") is { } condition ? new Runner(condition) : null;

    private sealed class Runner(CompiledExpression condition) : NodeRunner
    {
        public override ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call) =>
            new(NodeResult.To(condition.IsTrue(input) ? "true" : "false", input));
    }
}

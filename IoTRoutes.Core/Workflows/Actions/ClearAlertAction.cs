using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Alerts;
using IoTRoutes.Core.Workflows.Engine;

namespace IoTRoutes.Core.Workflows.Actions;

/// <summary>Clears the item's device's open alert of a type (nothing when none is open); the item goes on unchanged.</summary>
public sealed class ClearAlertAction : WorkflowAction
{
    public override string Type => "ClearAlert";

    public override string Category => "Alerts";

    public override string Description => "Clears the device's open alert of a type.";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        new("alertType", SettingKind.Text, "Alert type", Required: true, Help: "The type a RaiseAlert node raised, e.g. HighTemperature."),
    ];

    public override string Summarize(JsonObject settings) => "clear " + Short(settings, "alertType");

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var type = node.Text("alertType", required: true, AlertRules.MaxTypeLength);
        if (type is not null && AlertRules.CheckType(type) is { } problem) node.Problem("alertType", problem);
        return node.Problems.Count > 0 ? null : new Runner(type!.Trim());
    }

    private sealed class Runner(string type) : NodeRunner
    {
        public override async ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
        {
            if (input.Device is not { } device)
            {
                return NodeResult.Fail($"ClearAlert needs an item about a device; this one ({input.Trigger ?? "no trigger"}) has none.");
            }

            await call.Run.Effects.PerformAsync(new ClearAlertEffect(device.Id, device.Name, type), call.NodeId, call.Run.Cancellation);
            return NodeResult.Out(input);
        }
    }
}

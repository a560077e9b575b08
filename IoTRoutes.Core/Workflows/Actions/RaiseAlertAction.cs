using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Alerts;
using IoTRoutes.Core.Workflows.Engine;

namespace IoTRoutes.Core.Workflows.Actions;

/// <summary>
/// Raises an alert of a type on the item's device, or updates the one already open (count, severity, message, value,
/// time); the item then goes on unchanged. A dry run records the raise and does nothing.
/// </summary>
public sealed class RaiseAlertAction : WorkflowAction
{
    public override string Type => "RaiseAlert";

    public override string Category => "Alerts";

    public override string Description => "Raises an alert on the device, or updates its open alert of the same type.";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        new("alertType", SettingKind.Text, "Alert type", Required: true, Help: "What is wrong, e.g. HighTemperature: one open alert per device and type."),
        new("severity", SettingKind.Choice, "Severity") { Choices = Enum.GetNames<AlertSeverity>(), Default = nameof(AlertSeverity.Major) },
        new("message", SettingKind.Template, "Message", Help: "A Liquid template, e.g. {{ device.name }} is at {{ temp }} °C; the alert type when empty."),
        new("value", SettingKind.Expression, "Value", Help: "Kept with the alert as its last value, e.g. temp."),
    ];

    public override string Summarize(JsonObject settings) =>
        $"{(Short(settings, "severity") is { Length: > 0 } s ? s : nameof(AlertSeverity.Major))} {Short(settings, "alertType")}";

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var type = node.Text("alertType", required: true, AlertRules.MaxTypeLength);
        if (type is not null && AlertRules.CheckType(type) is { } problem) node.Problem("alertType", problem);
        var severity = node.Choice<AlertSeverity>("severity") ?? AlertSeverity.Major;
        var message = node.Template("message", required: false);
        var value = node.Expression("value", required: false);
        return node.Problems.Count > 0 ? null : new Runner(type!.Trim(), severity, message, value);
    }

    private sealed class Runner(string type, AlertSeverity severity, CompiledTemplate? message, CompiledExpression? value) : NodeRunner
    {
        public override async ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
        {
            if (input.Device is not { } device)
            {
                return NodeResult.Fail($"RaiseAlert needs an item about a device; this one ({input.Trigger ?? "no trigger"}) has none.");
            }

            var raise = new AlertRaise(device.Id, type, severity, message?.Render(input) ?? type,
                value is null ? null : WorkflowValues.ToJson(value.Evaluate(input)), call.Run.WorkflowId, call.NodeId, call.Run.SourceId);
            var done = await call.Run.Effects.PerformAsync(new RaiseAlertEffect(raise, device.Name), call.NodeId, call.Run.Cancellation);
            if (done is null && !call.Run.DryRun)
            {
                return NodeResult.Fail($"Device {device.Name} no longer exists: no {type} alert raised.");
            }

            return NodeResult.Out(input);
        }
    }
}

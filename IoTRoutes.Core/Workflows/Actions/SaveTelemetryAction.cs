using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Telemetry;
using IoTRoutes.Core.Workflows.Engine;

namespace IoTRoutes.Core.Workflows.Actions;

/// <summary>
/// Stores computed fields (<c>{"heatIndex": "temp * 1.1"}</c>) as telemetry of the item's device, at the message's time
/// (the device's, else the receive time; the run's time without a message). They show in the device's series and latest
/// values but are not a message, so no workflow fires on them. A field whose expression gives nothing is left out (a gap,
/// as a field a message lacks). Stored once per message and node: a repeated run finds its point. The item goes on unchanged.
/// </summary>
public sealed class SaveTelemetryAction : WorkflowAction
{
    public override string Type => "SaveTelemetry";

    public override string Category => "Data";

    public override string Description => "Stores computed fields as the device's telemetry (charts, latest values).";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        new("fields", SettingKind.FieldMap, "Fields", Required: true,
            Help: "Name → expression, e.g. \"heatIndex\": \"temp * 1.1\". Each gives a number, a text or true/false.")
        {
            Fields = SettingDescriptor.MapOf("Name", SettingKind.Expression, "Expression"),
        },
    ];

    public override string Summarize(JsonObject settings) => ExpressionMaps.Summarize(settings, "fields");

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var fields = ExpressionMaps.Compile(node, "fields", ComputedTelemetryRules.CheckName, ComputedTelemetryRules.MaxFields);
        return node.Problems.Count > 0 ? null : new Runner(fields);
    }

    private sealed class Runner(IReadOnlyList<(string Name, CompiledExpression Value)> fields) : NodeRunner
    {
        public override async ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
        {
            if (input.Device is not { } device)
            {
                return NodeResult.Fail($"SaveTelemetry needs an item about a device; this one ({input.Trigger ?? "no trigger"}) has none.");
            }

            var values = new List<KeyValuePair<string, JsonValue>>(fields.Count);
            foreach (var (name, expression) in fields)
            {
                var value = expression.Evaluate(input);
                if (value is null) continue;
                var (stored, problem) = Core.ScalarValue.Check(value, ComputedTelemetryRules.MaxTextLength);
                if (stored is null)
                {
                    return NodeResult.Fail($"Field {name}: {expression.Text} cannot be stored. {problem}");
                }

                values.Add(new(name, stored));
            }

            if (values.Count == 0) return NodeResult.Out(input);
            var at = input.Message is { } message ? message.DeviceTime ?? message.ReceivedAt : call.Run.Clock.GetUtcNow();
            var point = new ComputedPoint(device.Id, at, values, call.Run.WorkflowId, call.NodeId, input.Message?.Id, call.Run.EffectKey(call.NodeId));
            var done = await call.Run.Effects.PerformAsync(new SaveTelemetryEffect(point, device.Name), call.NodeId, call.Run.Cancellation);
            return done is null && !call.Run.DryRun
                ? NodeResult.Fail($"Device {device.Name} no longer exists: no telemetry stored.")
                : NodeResult.Out(input);
        }
    }
}

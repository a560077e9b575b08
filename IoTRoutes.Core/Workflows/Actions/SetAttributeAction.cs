using System.Text.Json.Nodes;
using IoTRoutes.Core.Devices.Attributes;
using IoTRoutes.Core.Workflows.Engine;

namespace IoTRoutes.Core.Workflows.Actions;

/// <summary>
/// Sets attributes of the item's device from expressions (<c>{"lastTemp": "temp", "room": "'B12'"}</c>); the item then
/// goes on unchanged. Values that did not change are not written, so a repeated run does no harm. A dry run records
/// what would be set and sets nothing.
/// </summary>
public sealed class SetAttributeAction : WorkflowAction
{
    public override string Type => "SetAttribute";

    public override string Category => "Devices";

    public override string Description => "Sets attributes of the device (read back as device.attributes.<key>).";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        new("attributes", SettingKind.FieldMap, "Attributes", Required: true,
            Help: "Key → expression, e.g. \"lastTemp\": \"temp\", \"room\": \"'B12'\". Each gives a text, a number or true/false.")
        {
            Fields = SettingDescriptor.MapOf("Key", SettingKind.Expression, "Expression"),
        },
    ];

    public override string Summarize(JsonObject settings) => ExpressionMaps.Summarize(settings, "attributes");

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var attributes = ExpressionMaps.Compile(node, "attributes", AttributeRules.CheckKey, AttributeRules.MaxPerDevice);
        return node.Problems.Count > 0 ? null : new Runner(attributes);
    }

    private sealed class Runner(IReadOnlyList<(string Key, CompiledExpression Value)> attributes) : NodeRunner
    {
        public override async ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
        {
            if (input.Device is not { } device)
            {
                return NodeResult.Fail($"SetAttribute needs an item about a device; this one ({input.Trigger ?? "no trigger"}) has none.");
            }

            var values = new List<KeyValuePair<string, string>>(attributes.Count);
            foreach (var (key, expression) in attributes)
            {
                var value = expression.Evaluate(input);
                var (json, problem) = AttributeRules.CheckValue(value);
                if (json is null)
                {
                    return NodeResult.Fail(value is null
                        ? $"Attribute {key}: {expression.Text} gave no value (is a field missing?)."
                        : $"Attribute {key}: {expression.Text} cannot be stored. {problem}");
                }

                values.Add(new(key, json));
            }

            var done = await call.Run.Effects.PerformAsync(
                new SetAttributesEffect(device.Id, device.Name, values, $"workflow {call.Run.WorkflowId}"), call.NodeId, call.Run.Cancellation);
            if (call.Run.DryRun) return NodeResult.Out(input);
            return done switch
            {
                null => NodeResult.Fail($"Device {device.Name} no longer exists: no attribute set."),
                JsonObject { } answer when answer["error"] is JsonValue error => NodeResult.Fail(error.GetValue<string>()),
                _ => NodeResult.Out(input),
            };
        }
    }
}

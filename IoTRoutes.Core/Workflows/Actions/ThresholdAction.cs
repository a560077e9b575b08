using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Engine;

namespace IoTRoutes.Core.Workflows.Actions;

public enum ThresholdDirection
{
    Above,
    Below,
}

/// <summary>
/// Tells when a field crosses a threshold, once, with hysteresis: for <c>Above 30, hysteresis 1</c> the item leaves by
/// <c>crossed</c> when the value goes over 30, by <c>recovered</c> when it comes back under 29, by <c>unchanged</c>
/// otherwise. Which side each device is on is node state (durable, per device), so a restart neither repeats nor misses a
/// crossing. An item without the field leaves by <c>unchanged</c> and changes nothing.
/// </summary>
public sealed class ThresholdAction : WorkflowAction
{
    public const string Crossed = "crossed";
    public const string Recovered = "recovered";
    public const string Unchanged = "unchanged";
    private static readonly IReadOnlyList<string> Ports = [Crossed, Recovered, Unchanged];

    public override string Type => "Threshold";

    public override string Category => "Analysis";

    public override string Description => "Tells when a field crosses a threshold and when it comes back, with hysteresis.";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        new("field", SettingKind.Text, "Field", Required: true),
        new("threshold", SettingKind.Number, "Threshold", Required: true),
        new("direction", SettingKind.Choice, "Direction") { Choices = Enum.GetNames<ThresholdDirection>(), Default = nameof(ThresholdDirection.Above) },
        new("hysteresis", SettingKind.Number, "Hysteresis", Help: "How far back the value must come to recover (default 0).") { Default = 0 },
    ];

    public override IReadOnlyList<string> OutputPorts(JsonObject settings) => Ports;

    public override string Summarize(JsonObject settings) =>
        $"{Short(settings, "field")} {(Short(settings, "direction") == nameof(ThresholdDirection.Below) ? "<" : ">")} {settings["threshold"]}";

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var field = node.Text("field", required: true, max: 256);
        var threshold = node.Number("threshold", required: true);
        var direction = node.Choice<ThresholdDirection>("direction") ?? ThresholdDirection.Above;
        var hysteresis = node.Number("hysteresis", min: 0) ?? 0;
        // The side a device is on belongs to this field, threshold and direction: a version that changes them starts afresh.
        var key = StateKeys.Of("crossed", field, threshold?.ToString(System.Globalization.CultureInfo.InvariantCulture), direction.ToString());
        return node.Problems.Count > 0 ? null : new Runner(field!, threshold!.Value, direction, hysteresis, key);
    }

    private sealed class Runner(string field, double threshold, ThresholdDirection direction, double hysteresis, string key) : NodeRunner
    {
        public override async ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
        {
            if (WorkflowValues.AsNumber(input.Field(field)) is not { } value || !double.IsFinite(value)) return NodeResult.To(Unchanged, input);
            var run = call.Run;
            var deviceId = input.Device?.Id;
            var crossed = await run.State.GetAsync(run.WorkflowId, call.NodeId, deviceId, key, run.Cancellation) is JsonValue v && v.GetValue<bool>();
            var beyond = direction == ThresholdDirection.Above ? value > threshold : value < threshold;
            var back = direction == ThresholdDirection.Above ? value < threshold - hysteresis : value > threshold + hysteresis;
            var port = !crossed && beyond ? Crossed : crossed && back ? Recovered : Unchanged;
            if (port != Unchanged) await run.State.SetAsync(run.WorkflowId, call.NodeId, deviceId, key, port == Crossed, run.Cancellation);
            return NodeResult.To(port, input);
        }
    }
}

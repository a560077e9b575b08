using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Engine;

namespace IoTRoutes.Core.Workflows.Actions;

public enum AnomalyMethod
{
    /// <summary>Exponentially weighted mean and variance: recent values count more; constant memory.</summary>
    Ewma,

    /// <summary>Mean and deviation of the last values in a window.</summary>
    Rolling,
}

/// <summary>
/// Flags outliers of a field per device: an item leaves by <c>anomaly</c> when its value is further than <c>sigmas</c>
/// standard deviations from what the device's earlier values predict, by <c>normal</c> otherwise (also during the first
/// <c>warmup</c> values). It gains <c>{field}_expected</c> and <c>{field}_score</c> (deviations from the expected value).
/// The statistics are node state, per device and durable. An item without the field leaves by <c>normal</c> unchanged.
/// </summary>
public sealed class AnomalyAction : WorkflowAction
{
    public const string Anomaly = "anomaly";
    public const string Normal = "normal";
    private static readonly IReadOnlyList<string> Ports = [Anomaly, Normal];

    public override string Type => "Anomaly";

    public override string Category => "Analysis";

    public override string Description => "Flags values far from a device's usual ones (EWMA or a rolling window).";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        new("field", SettingKind.Text, "Field", Required: true),
        new("method", SettingKind.Choice, "Method") { Choices = Enum.GetNames<AnomalyMethod>(), Default = nameof(AnomalyMethod.Ewma) },
        new("alpha", SettingKind.Number, "Weight of a new value (EWMA)", Help: "0 to 1, default 0.1.") { Default = 0.1 },
        new("window", SettingKind.Integer, "Window (rolling)", Help: "Values kept, 2 to 1,000, default 50.") { Default = 50 },
        new("sigmas", SettingKind.Number, "Deviations", Help: "How many standard deviations away is an anomaly (default 3).") { Default = 3 },
        new("warmup", SettingKind.Integer, "Warm-up", Help: "Values seen before anything is flagged (default 10).") { Default = 10 },
    ];

    public override IReadOnlyList<string> OutputPorts(JsonObject settings) => Ports;

    public override string Summarize(JsonObject settings) => $"{Short(settings, "field")} ± {settings["sigmas"] ?? 3}σ";

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var field = node.Text("field", required: true, max: 256);
        var method = node.Choice<AnomalyMethod>("method") ?? AnomalyMethod.Ewma;
        var alpha = node.Number("alpha", min: 0.0001, max: 1) ?? 0.1;
        var window = node.Integer("window", min: 2, max: 1000) ?? 50;
        var sigmas = node.Number("sigmas", min: 0.1, max: 100) ?? 3;
        // A deviation needs two values at least.
        var warmup = node.Integer("warmup", min: 2, max: 100_000) ?? 10;
        // Statistics belong to this field, method and its parameters: a version that changes them starts afresh.
        var key = StateKeys.Of("stats", field, method.ToString(), method == AnomalyMethod.Ewma ? alpha.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : window.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return node.Problems.Count > 0 ? null : new Runner(field!, method, alpha, window, sigmas, warmup, key);
    }

    private sealed class Runner(string field, AnomalyMethod method, double alpha, int window, double sigmas, int warmup, string key) : NodeRunner
    {
        public override async ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
        {
            if (WorkflowValues.AsNumber(input.Field(field)) is not { } value || !double.IsFinite(value)) return NodeResult.To(Normal, input);
            var run = call.Run;
            var deviceId = input.Device?.Id;
            var state = await run.State.GetAsync(run.WorkflowId, call.NodeId, deviceId, key, run.Cancellation) as JsonObject ?? [];
            var (expected, deviation, count) = method == AnomalyMethod.Ewma ? Ewma(state, value) : Rolling(state, value);
            await run.State.SetAsync(run.WorkflowId, call.NodeId, deviceId, key, state, run.Cancellation);

            var score = count < warmup ? 0 : deviation > 0 ? Math.Abs(value - expected) / deviation : value == expected ? 0 : double.PositiveInfinity;
            var fields = input.CopyFields();
            fields[field + "_expected"] = count == 0 ? value : expected;
            fields[field + "_score"] = double.IsFinite(score) ? Math.Round(score, 3) : 1e9;
            return NodeResult.To(count >= warmup && score > sigmas ? Anomaly : Normal, input.WithFields(fields));
        }

        /// <summary>The prediction before this value (mean, deviation, values seen), then the state updated with it.</summary>
        private (double Expected, double Deviation, long Count) Ewma(JsonObject state, double value)
        {
            var count = (long)(state["n"]?.GetValue<double>() ?? 0);
            var mean = state["mean"]?.GetValue<double>() ?? value;
            var variance = state["var"]?.GetValue<double>() ?? 0;
            var prediction = (mean, Math.Sqrt(variance), count);
            var difference = value - mean;
            var increment = alpha * difference;
            state["mean"] = count == 0 ? value : mean + increment;
            state["var"] = count == 0 ? 0 : (1 - alpha) * (variance + difference * increment);
            state["n"] = (double)(count + 1);
            return prediction;
        }

        private (double Expected, double Deviation, long Count) Rolling(JsonObject state, double value)
        {
            var values = (state["values"] as JsonArray)?.Select(v => v!.GetValue<double>()).ToList() ?? [];
            var count = (long)(state["n"]?.GetValue<double>() ?? 0);
            var mean = values.Count > 0 ? values.Average() : value;
            var deviation = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0;
            values.Add(value);
            if (values.Count > window) values.RemoveRange(0, values.Count - window);
            state["values"] = new JsonArray([.. values.Select(v => (JsonNode)v)]);
            state["n"] = (double)(count + 1);
            return (mean, deviation, count);
        }
    }
}

using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Engine;

namespace IoTRoutes.Core.Workflows.Actions;

/// <summary>
/// Waits, then passes the item on; other branches go on meanwhile. The wait lives in the run: a restart during it repeats
/// the run from its message (at least once), so keep delays short; longer waits belong to planned jobs.
/// </summary>
public sealed class DelayAction : WorkflowAction
{
    public static readonly TimeSpan Longest = TimeSpan.FromMinutes(10);

    public override string Type => "Delay";

    public override string Category => "Flow";

    public override string Description => "Waits before passing the item on.";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        new("duration", SettingKind.Duration, "Duration", Required: true, Help: "500ms, 30s, 5m (at most 10 minutes)."),
    ];

    public override string Summarize(JsonObject settings) => Short(settings, "duration");

    public override NodeRunner? Compile(NodeCompilation node) =>
        node.Duration("duration", required: true, TimeSpan.Zero, Longest) is { } duration ? new Runner(duration) : null;

    private sealed class Runner(TimeSpan duration) : NodeRunner
    {
        public override async ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
        {
            if (!call.Run.DryRun) await Task.Delay(duration, call.Run.Clock, call.Run.Cancellation);
            return NodeResult.Out(input);
        }
    }
}

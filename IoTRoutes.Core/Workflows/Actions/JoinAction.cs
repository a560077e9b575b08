using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Core.Workflows.Actions;

/// <summary>
/// Waits for one item from each of its incoming links, then sends one item with their fields merged (in the order of the
/// links; a later branch's field wins). A branch that never comes (filtered out) ends the wait when nothing else is
/// running; a branch still running after the timeout fails the run, unless <c>timeout</c> is linked: what arrived goes there.
/// </summary>
public sealed class JoinAction : WorkflowAction
{
    private static readonly IReadOnlyList<string> Ports = [WorkflowPorts.Out, JoinRunner.TimeoutPort];

    public override string Type => JoinRunner.Type;

    public override string Category => "Flow";

    public override string Description => "Waits for every incoming branch, then merges their fields.";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        new("timeout", SettingKind.Duration, "Timeout", Help: "How long to wait for the slowest branch (default 30s).") { Default = "30s" },
    ];

    public override IReadOnlyList<string> OutputPorts(JsonObject settings) => Ports;

    public override string Summarize(JsonObject settings) => "wait " + (Short(settings, "timeout") is { Length: > 0 } t ? t : "30s");

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var timeout = node.Duration("timeout", required: false, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1)) ?? TimeSpan.FromSeconds(30);
        return node.Problems.Count > 0 ? null : new JoinRunner(timeout);
    }
}

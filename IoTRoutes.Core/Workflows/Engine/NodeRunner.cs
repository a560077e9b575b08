using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Core.Workflows.Engine;

/// <summary>
/// A compiled node: runs on one item and says which ports its output leaves by. Built once per workflow version and
/// shared by every run of it, possibly at once: state that must outlive a run goes to <see cref="RunContext.State"/>.
/// </summary>
public abstract class NodeRunner
{
    /// <summary>An exception (or <see cref="NodeResult.Fail"/>) goes to the node's error port, or fails the run.</summary>
    public abstract ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call);
}

/// <summary>A node that passes what it receives on <c>out</c> (a trigger in the graph: its matching is done before the run).</summary>
public sealed class PassThrough : NodeRunner
{
    public static readonly PassThrough Instance = new();

    public override ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call) => new(NodeResult.Out(input));
}

/// <summary>The engine waits on a Join itself: its runner only carries the settings.</summary>
public sealed class JoinRunner(TimeSpan timeout) : NodeRunner
{
    public const string Type = "Join";
    public const string TimeoutPort = "timeout";

    public TimeSpan Timeout { get; } = timeout;

    public override ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call) =>
        throw new InvalidOperationException("A Join is run by the engine.");
}

/// <summary>One call of a node: the run it belongs to and the node.</summary>
public readonly record struct NodeCall(RunContext Run, string NodeId, int NodeIndex);

/// <summary>
/// Where a node's output goes: nowhere, one port, or several. Most nodes emit one item on one port: that case allocates
/// nothing beyond the item.
/// </summary>
public readonly struct NodeResult
{
    private readonly string? _port;
    private readonly WorkflowItem? _item;
    private readonly IReadOnlyList<(string Port, WorkflowItem Item)>? _many;

    private NodeResult(string? port, WorkflowItem? item, IReadOnlyList<(string, WorkflowItem)>? many, string? error)
    {
        (_port, _item, _many, Error) = (port, item, many, error);
    }

    /// <summary>Set when the node failed: the item goes to its error port with this text, or the run fails.</summary>
    public string? Error { get; }

    public static NodeResult Nothing => default;

    public static NodeResult To(string port, WorkflowItem item) => new(port, item, null, null);

    public static NodeResult Out(WorkflowItem item) => To(WorkflowPorts.Out, item);

    public static NodeResult Many(IReadOnlyList<(string Port, WorkflowItem Item)> emissions) => new(null, null, emissions, null);

    public static NodeResult Fail(string error) => new(null, null, null, error);

    public int Count => _many?.Count ?? (_item is null ? 0 : 1);

    public (string Port, WorkflowItem Item) this[int index] => _many is { } many ? many[index] : (_port!, _item!);
}

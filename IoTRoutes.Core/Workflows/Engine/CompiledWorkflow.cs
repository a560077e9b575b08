using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Core.Workflows.Engine;

/// <summary>
/// A workflow version ready to run: its nodes compiled once (settings read, expressions parsed), each output port
/// resolved to the nodes it leads to, and counters of what went through each node and port since it was loaded.
/// </summary>
public sealed class CompiledWorkflow
{
    internal CompiledWorkflow(WorkflowGraph graph, CompiledNode[] nodes)
    {
        Graph = graph;
        Nodes = nodes;
    }

    public WorkflowGraph Graph { get; }

    internal CompiledNode[] Nodes { get; }

    /// <summary>The trigger's compiled runner: trigger actions expose how they match events on it.</summary>
    public NodeRunner Trigger => Nodes[0].Runner;

    /// <summary>Counters of every node since this version was compiled: in, out per port, errors, time.</summary>
    public IReadOnlyList<NodeCounterSnapshot> Counters() =>
        [.. Nodes.Select(n => new NodeCounterSnapshot(
            n.Id, Interlocked.Read(ref n.Counters.In), Interlocked.Read(ref n.Counters.Errors),
            n.Ports.Select((p, i) => (p, Interlocked.Read(ref n.Counters.Out[i]))).Where(p => p.Item2 > 0).ToDictionary(p => p.p, p => p.Item2),
            TimeSpan.FromTicks(Interlocked.Read(ref n.Counters.Ticks))))];
}

/// <summary>What went through one node.</summary>
public sealed record NodeCounterSnapshot(string NodeId, long In, long Errors, IReadOnlyDictionary<string, long> Out, TimeSpan Time);

internal sealed class CompiledNode(string id, string type, NodeRunner runner, string[] ports, int[][] targets, int incoming)
{
    public string Id { get; } = id;
    public string Type { get; } = type;
    public NodeRunner Runner { get; } = runner;

    /// <summary>Its output ports; the last is <c>error</c>.</summary>
    public string[] Ports { get; } = ports;

    /// <summary>Per port (same order as <see cref="Ports"/>), the indexes of the nodes it leads to.</summary>
    public int[][] Targets { get; } = targets;

    /// <summary>How many links lead to it (a Join waits for one item from each).</summary>
    public int Incoming { get; } = incoming;

    /// <summary>For a Join: which of its incoming links each source node's port arrives by, as (source node, port index).</summary>
    public (int Node, int Port)[] Sources { get; set; } = [];

    public int ErrorPort => Ports.Length - 1;

    public NodeCounters Counters { get; } = new(ports.Length);

    public int PortIndex(string port)
    {
        for (var i = 0; i < Ports.Length; i++)
        {
            if (string.Equals(Ports[i], port, StringComparison.Ordinal)) return i;
        }

        return -1;
    }
}

internal sealed class NodeCounters(int ports)
{
    public long In;
    public long Errors;
    public long Ticks;
    public readonly long[] Out = new long[ports];
}

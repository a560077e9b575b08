using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Core.Workflows.Engine;

/// <summary>
/// Checks a workflow graph and compiles it: one trigger, first; known node types; links between ports that exist; every
/// action reachable by a link; no cycle; each Join fed by two links or more; every node's settings (expressions parsed).
/// Every problem is reported on its node; a graph with problems does not compile (and cannot be published).
/// </summary>
public sealed class WorkflowCompiler(ActionCatalog catalog, WorkflowLanguages languages, IServiceProvider services)
{
    public (CompiledWorkflow? Workflow, IReadOnlyList<WorkflowProblem> Problems) Compile(WorkflowGraph graph)
    {
        var problems = new List<WorkflowProblem>();
        if (graph.Nodes.Count == 0)
        {
            problems.Add(new(null, null, "A workflow starts with a trigger node (OnMessage, OnDeviceConnected, OnDeviceDisconnected)."));
            return (null, problems);
        }

        var index = graph.Nodes.Select((n, i) => (n.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        var actions = new IWorkflowAction?[graph.Nodes.Count];
        var ports = new string[graph.Nodes.Count][];
        for (var i = 0; i < graph.Nodes.Count; i++)
        {
            var node = graph.Nodes[i];
            var action = actions[i] = catalog.Find(node.Type);
            if (action is null)
            {
                problems.Add(new(node.Id, null, $"Unknown node type {node.Type}."));
                ports[i] = [WorkflowPorts.Error];
                continue;
            }

            if (i == 0 && action.Kind != ActionKind.Trigger) problems.Add(new(node.Id, null, $"A workflow starts with a trigger; {node.Type} is an action."));
            if (i > 0 && action.Kind == ActionKind.Trigger) problems.Add(new(node.Id, null, "Only the first node is a trigger."));
            ports[i] = [.. action.OutputPorts(node.Settings).Where(p => p != WorkflowPorts.Error).Distinct(StringComparer.Ordinal), WorkflowPorts.Error];
        }

        var targets = ports.Select(p => p.Select(_ => new List<int>()).ToArray()).ToArray();
        var incoming = new int[graph.Nodes.Count];
        var sources = graph.Nodes.Select(_ => new List<(int, int)>()).ToArray();
        foreach (var link in graph.Links)
        {
            var from = index[link.From];
            var to = index[link.To];
            var port = Array.IndexOf(ports[from], link.FromPort);
            if (port < 0)
            {
                if (actions[from] is not null) problems.Add(new(link.From, "links", $"{link.From} has no port {link.FromPort} (its ports: {string.Join(", ", ports[from])})."));
                continue;
            }

            if (link.ToPort != WorkflowPorts.In) problems.Add(new(link.To, "links", $"A node's input port is {WorkflowPorts.In}, not {link.ToPort}."));
            if (to == 0) problems.Add(new(link.To, "links", "Nothing links to a trigger: it starts the run."));
            if (from == to) problems.Add(new(link.From, "links", "A node cannot link to itself."));
            targets[from][port].Add(to);
            incoming[to]++;
            sources[to].Add((from, port));
        }

        for (var i = 1; i < graph.Nodes.Count; i++)
        {
            if (incoming[i] == 0) problems.Add(new(graph.Nodes[i].Id, "links", "Nothing leads to this node: link its input from another node's output."));
            if (graph.Nodes[i].Type == JoinRunner.Type && incoming[i] == 1) problems.Add(new(graph.Nodes[i].Id, "links", "A Join waits for several branches: link two or more to it."));
        }

        if (actions[0] is { Kind: ActionKind.Trigger } && targets[0].All(t => t.Count == 0))
        {
            problems.Add(new(graph.Nodes[0].Id, "links", "The trigger leads nowhere: link its output to an action."));
        }

        for (var i = 1; i < graph.Nodes.Count; i++)
        {
            // A node that only routes (Filter, Switch, Threshold: no plain out) does nothing when none of its outcomes is linked.
            var outcomes = ports[i].Where(p => p != WorkflowPorts.Error).ToList();
            if (actions[i] is not null && outcomes.Count > 0 && !outcomes.Contains(WorkflowPorts.Out)
                && outcomes.All(p => targets[i][Array.IndexOf(ports[i], p)].Count == 0))
            {
                problems.Add(new(graph.Nodes[i].Id, "links", $"None of its outcomes ({string.Join(", ", outcomes)}) leads anywhere."));
            }

            if (graph.Nodes[i].Type == JoinRunner.Type && sources[i].GroupBy(s => s.Item1).FirstOrDefault(g => g.Count() > 1) is { } exclusive)
            {
                problems.Add(new(graph.Nodes[i].Id, "links", $"Two of its links come from {graph.Nodes[exclusive.Key].Id}, whose outcomes exclude each other: the Join would never get both."));
            }
        }

        foreach (var cycle in Cycles(targets))
        {
            var path = string.Join(" → ", cycle.Append(cycle[0]).Select(i => graph.Nodes[i].Id));
            foreach (var node in cycle) problems.Add(new(graph.Nodes[node].Id, "links", $"Part of a cycle: {path}."));
        }

        var compiled = new CompiledNode[graph.Nodes.Count];
        for (var i = 0; i < graph.Nodes.Count; i++)
        {
            if (actions[i] is not { } action) continue;
            var runner = CompileSettings(graph.Nodes[i], action, problems);
            if (runner is null) continue;
            compiled[i] = new CompiledNode(graph.Nodes[i].Id, graph.Nodes[i].Type, runner, ports[i], [.. targets[i].Select(t => t.ToArray())], incoming[i])
            {
                Sources = [.. sources[i]],
            };
        }

        return problems.Count > 0 ? (null, problems) : (new CompiledWorkflow(graph, compiled), problems);
    }

    /// <summary>
    /// The problems of one node's settings, as publishing would report them (the designer's settings panel shows them
    /// while they are edited); links are not looked at.
    /// </summary>
    public IReadOnlyList<WorkflowProblem> CheckSettings(WorkflowNode node)
    {
        if (catalog.Find(node.Type) is not { } action) return [new(node.Id, null, $"Unknown node type {node.Type}.")];
        var problems = new List<WorkflowProblem>();
        CompileSettings(node, action, problems);
        return problems;
    }

    private NodeRunner? CompileSettings(WorkflowNode node, IWorkflowAction action, List<WorkflowProblem> problems)
    {
        var compilation = new NodeCompilation(node, languages, services);
        NodeRunner? runner;
        try
        {
            runner = action.Compile(compilation);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            compilation.Problem("settings", $"The settings could not be read: {e.Message}");
            runner = null;
        }

        problems.AddRange(compilation.Problems);
        if (runner is null && compilation.Problems.Count == 0) problems.Add(new(node.Id, null, "The node could not be compiled."));
        return runner;
    }

    /// <summary>Each cycle once, as the nodes on it (depth-first, colouring nodes in progress).</summary>
    private static List<List<int>> Cycles(List<int>[][] targets)
    {
        var cycles = new List<List<int>>();
        var state = new int[targets.Length]; // 0 new, 1 on the current path, 2 done
        var path = new List<int>();
        var inCycle = new HashSet<int>();

        void Visit(int node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in targets[node].SelectMany(t => t).Distinct())
            {
                if (state[next] == 1)
                {
                    var cycle = path.Skip(path.IndexOf(next)).ToList();
                    if (!cycle.All(inCycle.Contains)) cycles.Add(cycle);
                    inCycle.UnionWith(cycle);
                }
                else if (state[next] == 0)
                {
                    Visit(next);
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
        }

        for (var i = 0; i < targets.Length; i++)
        {
            if (state[i] == 0) Visit(i);
        }

        return cycles;
    }
}

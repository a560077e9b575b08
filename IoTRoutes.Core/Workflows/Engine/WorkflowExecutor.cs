using System.Diagnostics;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Core.Workflows.Engine;

/// <summary>
/// Runs one item through a compiled workflow. A node runs when its input arrives; an output goes to every node linked to
/// its port, and those branches run independently: a node that completes at once is followed at once, one that awaits
/// (a Delay, a call to another system) lets the other branches go on meanwhile. A Join waits for one item from each of
/// its links. A node's error goes to its <c>error</c> port when it is linked; otherwise the run fails with that node,
/// its input and the error. More than <see cref="RunContext.HopLimit"/> node calls stop a runaway run.
/// </summary>
public static class WorkflowExecutor
{
    public static async ValueTask<RunOutcome> RunAsync(CompiledWorkflow workflow, WorkflowItem input, RunContext run)
    {
        var state = new RunState(workflow, run);
        state.Enqueue(0, input);
        while (true)
        {
            while (!state.Finished && state.TryDequeue(out var work))
            {
                state.Start(work);
            }

            state.ForgetEnded(); // what starts next starts after a wait: its time is read again
            if (state.Finished) break;
            if (state.InFlight is not { Count: > 0 } && !state.HasWaitingJoins) break;
            if (state.InFlight is not { Count: > 0 })
            {
                // Nothing left that could reach the waiting Joins: they end now.
                state.ResolveJoins(timedOut: false);
                continue;
            }

            var deadline = state.NextJoinDeadline;
            var waitFor = deadline is { } at ? at - run.Clock.GetUtcNow() : Timeout.InfiniteTimeSpan;
            if (waitFor != Timeout.InfiniteTimeSpan && waitFor <= TimeSpan.Zero)
            {
                state.ResolveJoins(timedOut: true);
                continue;
            }

            var tasks = state.InFlight.Cast<Task>().ToList(); // not null: checked above
            using var delay = new CancellationTokenSource();
            if (waitFor != Timeout.InfiniteTimeSpan) tasks.Add(Task.Delay(waitFor, run.Clock, delay.Token));
            var done = await Task.WhenAny(tasks);
            delay.Cancel();
            if (done is Task<Completion> completed)
            {
                state.InFlight.Remove(completed);
                var result = await completed;
                state.Complete(result.Work, result.Started, result.Result);
            }
        }

        return state.Outcome();
    }

    internal readonly record struct Work(int Node, WorkflowItem Item, int Link);

    internal readonly record struct Completion(Work Work, long Started, NodeResult Result);

    /// <remarks>
    /// Made for every run, so what most runs never need (a queue beyond one waiting node, a list of awaited nodes) is made
    /// only when they do: a run along a line of nodes that complete at once allocates the path and little else.
    /// </remarks>
    private sealed class RunState(CompiledWorkflow workflow, RunContext run)
    {
        private readonly CompiledNode[] _nodes = workflow.Nodes;
        private readonly List<NodeStep>? _steps = run.Trace ? [] : null;
        private readonly List<string> _path = new(Math.Min(workflow.Nodes.Length, 16));
        private Dictionary<int, JoinWait>? _joins;
        private int _hops;
        private RunFailure? _failure;

        // When the last node completed, for the next one to start from when nothing came between (a node that completes at
        // once is followed at once): one reading of the clock per node rather than two. Taken at every Start.
        private long _ended;
        private bool _hasEnded;

        // The queue's first entry, kept here while the queue is empty: a line of nodes never makes the queue.
        private Work _first;
        private bool _hasFirst;
        private Queue<Work>? _queue;

        public List<Task<Completion>>? InFlight { get; private set; }

        public bool Finished => _failure is not null;

        public bool HasWaitingJoins => _joins is { Count: > 0 };

        public DateTimeOffset? NextJoinDeadline => _joins?.Values.Min(j => (DateTimeOffset?)j.Deadline);

        public void Enqueue(int node, WorkflowItem item, int link = -1)
        {
            var work = new Work(node, item, link);
            // First in, first out: the kept entry is always older than any in the queue.
            if (!_hasFirst && _queue is not { Count: > 0 }) (_first, _hasFirst) = (work, true);
            else (_queue ??= new Queue<Work>()).Enqueue(work);
        }

        public bool TryDequeue(out Work work)
        {
            if (_hasFirst)
            {
                (work, _first, _hasFirst) = (_first, default, false);
                return true;
            }

            if (_queue is not null) return _queue.TryDequeue(out work);
            work = default;
            return false;
        }

        public void Start(Work work)
        {
            var node = _nodes[work.Node];
            if (run.Cancellation.IsCancellationRequested)
            {
                Fail(node, work.Item, "The run was cancelled.");
                return;
            }

            if (++_hops > run.HopLimit)
            {
                Fail(node, work.Item, $"The run called more than {run.HopLimit:N0} nodes and was stopped (a runaway graph).");
                return;
            }

            if (node.Runner is JoinRunner join)
            {
                Arrive(work, node, join);
                return;
            }

            var started = StartTime();
            ValueTask<NodeResult> pending;
            try
            {
                pending = node.Runner.RunAsync(work.Item, new NodeCall(run, node.Id, work.Node));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Complete(work, started, NodeResult.Fail(Describe(e)));
                return;
            }

            if (pending.IsCompletedSuccessfully) Complete(work, started, pending.Result);
            else (InFlight ??= []).Add(Await(pending, work, started));
        }

        public void ForgetEnded() => _hasEnded = false;

        private long StartTime()
        {
            var started = _hasEnded ? _ended : Stopwatch.GetTimestamp();
            _hasEnded = false;
            return started;
        }

        private static async Task<Completion> Await(ValueTask<NodeResult> pending, Work work, long started)
        {
            try
            {
                return new Completion(work, started, await pending);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return new Completion(work, started, NodeResult.Fail(Describe(e)));
            }
        }

        public void Complete(Work work, long started, NodeResult result)
        {
            var node = _nodes[work.Node];
            var ended = Stopwatch.GetTimestamp();
            (_ended, _hasEnded) = (ended, true);
            var elapsed = Stopwatch.GetElapsedTime(started, ended);
            Interlocked.Increment(ref node.Counters.In);
            Interlocked.Add(ref node.Counters.Ticks, elapsed.Ticks);
            _path.Add(node.Id);
            if (result.Error is { } error)
            {
                Interlocked.Increment(ref node.Counters.Errors);
                _steps?.Add(new NodeStep(node.Id, work.Item.ToJson(), WorkflowPorts.Error, null, elapsed, error));
                if (node.Targets[node.ErrorPort].Length == 0)
                {
                    Fail(node, work.Item, error);
                    return;
                }

                Interlocked.Increment(ref node.Counters.Out[node.ErrorPort]);

                var failed = work.Item.CopyFields();
                failed["error"] = error;
                failed["errorNode"] = node.Id;
                Emit(work.Node, node.ErrorPort, work.Item.WithFields(failed));
                return;
            }

            for (var i = 0; i < result.Count; i++)
            {
                var (port, item) = result[i];
                var index = node.PortIndex(port);
                if (index < 0)
                {
                    Fail(node, work.Item, $"The node sent its output to {port}, a port it does not have.");
                    return;
                }

                Interlocked.Increment(ref node.Counters.Out[index]);
                _steps?.Add(new NodeStep(node.Id, work.Item.ToJson(), port, item.ToJson(), elapsed, null));
                Emit(work.Node, index, item);
            }

            if (result.Count == 0) _steps?.Add(new NodeStep(node.Id, work.Item.ToJson(), null, null, elapsed, null));
        }

        private void Emit(int from, int port, WorkflowItem item)
        {
            var targets = _nodes[from].Targets[port];
            for (var t = 0; t < targets.Length; t++)
            {
                var target = _nodes[targets[t]];
                // A Join needs to know which of its links an item came by.
                var link = target.Runner is JoinRunner ? Array.IndexOf(target.Sources, (from, port)) : -1;
                Enqueue(targets[t], item, link);
            }
        }

        private void Arrive(Work work, CompiledNode node, JoinRunner join)
        {
            _joins ??= [];
            if (!_joins.TryGetValue(work.Node, out var wait))
            {
                wait = _joins[work.Node] = new JoinWait(node.Sources.Length, run.Clock.GetUtcNow() + join.Timeout);
            }

            if (work.Link >= 0 && wait.Items[work.Link] is null) wait.Items[work.Link] = work.Item;
            if (wait.Items.Any(i => i is null)) return;
            _joins.Remove(work.Node);
            Interlocked.Increment(ref node.Counters.In);
            Interlocked.Increment(ref node.Counters.Out[0]);
            var merged = Merge(wait.Items!);
            _path.Add(node.Id);
            _steps?.Add(new NodeStep(node.Id, new JsonObject { ["branches"] = new JsonArray([.. wait.Items.Select(i => (JsonNode)i!.ToJson())]) }, WorkflowPorts.Out, merged.ToJson(), TimeSpan.Zero, null));
            Emit(work.Node, 0, merged);
        }

        /// <summary>Joins still waiting: their timeout port gets what arrived when it is linked; otherwise they end quietly, or fail the run when they timed out.</summary>
        public void ResolveJoins(bool timedOut)
        {
            var now = run.Clock.GetUtcNow();
            foreach (var (index, wait) in _joins!.Where(j => !timedOut || j.Value.Deadline <= now).ToList())
            {
                _joins!.Remove(index);
                var node = _nodes[index];
                var arrived = wait.Items.OfType<WorkflowItem>().ToList();
                var timeoutPort = node.PortIndex(JoinRunner.TimeoutPort);
                var missing = string.Join(", ", node.Sources.Where((_, i) => wait.Items[i] is null).Select(s => _nodes[s.Node].Id));
                if (timeoutPort >= 0 && node.Targets[timeoutPort].Length > 0 && arrived.Count > 0)
                {
                    Interlocked.Increment(ref node.Counters.Out[timeoutPort]);
                    var merged = Merge(arrived);
                    _steps?.Add(new NodeStep(node.Id, null, JoinRunner.TimeoutPort, merged.ToJson(), TimeSpan.Zero, $"Still waiting for {missing}."));
                    Emit(index, timeoutPort, merged);
                }
                else if (timedOut)
                {
                    Fail(node, arrived.FirstOrDefault(), $"The Join waited {((JoinRunner)node.Runner).Timeout} for {missing}.");
                    return;
                }
                else
                {
                    _steps?.Add(new NodeStep(node.Id, null, null, null, TimeSpan.Zero, $"Ended without {missing}: no branch left could reach it."));
                }
            }
        }

        /// <summary>The branches' fields in the order of the Join's links (a later branch's field wins), the first branch's device and message.</summary>
        private static WorkflowItem Merge(IReadOnlyList<WorkflowItem> items)
        {
            var fields = items[0].CopyFields();
            for (var i = 1; i < items.Count; i++)
            {
                foreach (var (name, value) in items[i].Fields) fields[name] = value;
            }

            return items[0].WithFields(fields);
        }

        private void Fail(CompiledNode node, WorkflowItem? input, string error)
        {
            _failure ??= new RunFailure(node.Id, error, input?.ToJson());
        }

        public RunOutcome Outcome() => new(_failure is null, _failure, _path, _steps);

        private static string Describe(Exception e) => e switch
        {
            WorkflowExpressionException or TimeoutException => e.Message,
            OperationCanceledException => "The run was cancelled.",
            _ => $"{e.GetType().Name}: {e.Message}",
        };
    }

    private sealed class JoinWait(int links, DateTimeOffset deadline)
    {
        public WorkflowItem?[] Items { get; } = new WorkflowItem?[links];

        public DateTimeOffset Deadline { get; } = deadline;
    }
}

/// <summary>How a run ended: the nodes it went through, the failure if it failed, and each step when traced.</summary>
public sealed record RunOutcome(bool Succeeded, RunFailure? Failure, IReadOnlyList<string> Path, IReadOnlyList<NodeStep>? Steps);

/// <summary>The node a run failed at, what it was given and why.</summary>
public sealed record RunFailure(string NodeId, string Error, JsonObject? Input);

/// <summary>One node's call in a trace: its input, the port its output left by, that output, its time, its error.</summary>
public sealed record NodeStep(string NodeId, JsonObject? Input, string? Port, JsonObject? Output, TimeSpan Elapsed, string? Error);

using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Workflows.Engine;

/// <summary>
/// One run of a workflow version: what its nodes may use (the clock, durable node state, side effects) and how it is
/// recorded. A dry run (test run, replay) has the same nodes and state reads, but its effects are only recorded as what
/// would have happened, and it writes no state.
/// </summary>
public sealed class RunContext
{
    private Guid? _runId;

    /// <param name="runId">The run's id; null to make one when it is first asked for (most runs are never recorded).</param>
    public RunContext(Guid? runId, Guid workflowId, int version, IEffectSink effects, INodeStateStore state, TimeProvider clock, CancellationToken cancellation)
    {
        (_runId, WorkflowId, Version, Effects, State, Clock, Cancellation) = (runId, workflowId, version, effects, state, clock, cancellation);
    }

    public Guid RunId => _runId ??= Guid.CreateVersion7(Clock.GetUtcNow());

    public Guid WorkflowId { get; }

    public int Version { get; }

    public IEffectSink Effects { get; }

    public INodeStateStore State { get; }

    public TimeProvider Clock { get; }

    public CancellationToken Cancellation { get; }

    public bool DryRun => Effects.DryRun;

    /// <summary>Record every node's input and output (debug mode, test runs); failures are always recorded.</summary>
    public bool Trace { get; init; }

    /// <summary>Node calls allowed in one run before it is stopped as a runaway.</summary>
    public int HopLimit { get; init; } = 1_000;

    /// <summary>The stored event the run is for (a message's id, a connection event's id); none for test runs.</summary>
    public Guid? SourceId { get; init; }

    /// <summary>
    /// The key of an effect a node has on this run's event: the same for a run repeated after a crash (source id + node id),
    /// so what the effect touches can tell it already happened. Null when the run has no stored event.
    /// </summary>
    public string? EffectKey(string nodeId) => SourceId is { } source ? $"{source:N}/{nodeId}" : null;
}

/// <summary>
/// Something a run does outside itself (raise an alert, send a command, call an API). Its key is stable for one message
/// and node (message id + node id) so that a run repeated after a crash can be recognised by what it touches.
/// </summary>
public interface IWorkflowEffect
{
    /// <summary>What kind of effect (<c>RaiseAlert</c>) and the details a trace or a dry run shows.</summary>
    string Kind { get; }

    /// <summary>
    /// What it does in a few words, to follow "would" in a dry run (<c>raise alert HighTemperature (Major) on Lab sensor</c>);
    /// its kind unless the effect says more.
    /// </summary>
    string Summary => Kind;

    JsonObject Describe();

    /// <summary>Does it; the answer (an alert's id, a response) goes back to the node.</summary>
    ValueTask<JsonNode?> ExecuteAsync(IServiceProvider services, CancellationToken ct);
}

/// <summary>Where a run's effects go: performed, or (dry run) recorded only.</summary>
public interface IEffectSink
{
    bool DryRun { get; }

    ValueTask<JsonNode?> PerformAsync(IWorkflowEffect effect, string nodeId, CancellationToken ct);
}

/// <summary>Performs effects with the platform's services.</summary>
public sealed class PerformingEffects(IServiceProvider services) : IEffectSink
{
    public bool DryRun => false;

    public ValueTask<JsonNode?> PerformAsync(IWorkflowEffect effect, string nodeId, CancellationToken ct) => effect.ExecuteAsync(services, ct);
}

/// <summary>A dry run's effects: what would have happened, in order, and nothing done.</summary>
public sealed class RecordedEffects : IEffectSink
{
    private readonly List<RecordedEffect> _effects = [];
    private readonly Lock _gate = new();

    public bool DryRun => true;

    public IReadOnlyList<RecordedEffect> Effects
    {
        get
        {
            lock (_gate) return [.. _effects];
        }
    }

    public ValueTask<JsonNode?> PerformAsync(IWorkflowEffect effect, string nodeId, CancellationToken ct)
    {
        lock (_gate) _effects.Add(new RecordedEffect(nodeId, effect.Kind, effect.Summary, effect.Describe()));
        return ValueTask.FromResult<JsonNode?>(null);
    }
}

/// <summary>One effect a dry run would have had: the node, its kind, what it would do in a few words, and its details.</summary>
public sealed record RecordedEffect(string NodeId, string Kind, string Summary, JsonObject Details);

/// <summary>
/// State a node keeps between runs, per device and key (a threshold's side, an anomaly's running statistics): durable
/// in the database, so a restart does not forget it. A dry run reads it and writes nowhere.
/// </summary>
public interface INodeStateStore
{
    ValueTask<JsonNode?> GetAsync(Guid workflowId, string nodeId, Guid? deviceId, string key, CancellationToken ct);

    ValueTask SetAsync(Guid workflowId, string nodeId, Guid? deviceId, string key, JsonNode? value, CancellationToken ct);
}

/// <summary>Node state in memory: tests, and dry runs layered over the durable store (reads fall through, writes stay here).</summary>
public sealed class MemoryNodeState(INodeStateStore? under = null) : INodeStateStore
{
    private readonly Dictionary<(Guid, string, Guid?, string), JsonNode?> _values = [];
    private readonly Lock _gate = new();

    public async ValueTask<JsonNode?> GetAsync(Guid workflowId, string nodeId, Guid? deviceId, string key, CancellationToken ct)
    {
        lock (_gate)
        {
            if (_values.TryGetValue((workflowId, nodeId, deviceId, key), out var value)) return value?.DeepClone();
        }

        return under is null ? null : await under.GetAsync(workflowId, nodeId, deviceId, key, ct);
    }

    public ValueTask SetAsync(Guid workflowId, string nodeId, Guid? deviceId, string key, JsonNode? value, CancellationToken ct)
    {
        lock (_gate) _values[(workflowId, nodeId, deviceId, key)] = value?.DeepClone();
        return ValueTask.CompletedTask;
    }
}

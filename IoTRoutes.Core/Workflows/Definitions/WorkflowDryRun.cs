using IoTRoutes.Core.Workflows.Engine;

namespace IoTRoutes.Core.Workflows.Definitions;

/// <summary>
/// Runs a compiled workflow on one item without touching anything: traced, its effects recorded as what would have
/// happened, node state read as it is now (the live store under a memory layer) and never written. Test runs of a draft
/// and replays of a message in its trace both run through here.
/// </summary>
public sealed class WorkflowDryRun(INodeStateStore state, TimeProvider clock)
{
    /// <summary>A dry run is stopped after this long (a Join waiting for a branch that awaits something slow).</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <param name="version">The published version run, 0 for a draft.</param>
    /// <param name="sourceId">The stored message the item comes from, if it does.</param>
    public async Task<DryRunResult> RunAsync(CompiledWorkflow compiled, Guid workflowId, int version, WorkflowItem item, Guid? sourceId, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(Limit);
        var effects = new RecordedEffects();
        var run = new RunContext(Guid.CreateVersion7(), workflowId, version, effects, new MemoryNodeState(state), clock, limit.Token)
        {
            Trace = true, SourceId = sourceId,
        };
        var outcome = await WorkflowExecutor.RunAsync(compiled, item, run);
        var steps = (outcome.Steps ?? []).Select(DryRunStep.Of).ToList();
        return new DryRunResult(outcome.Succeeded, outcome.Failure, outcome.Path, steps, effects.Effects);
    }
}

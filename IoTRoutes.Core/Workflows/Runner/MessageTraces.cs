using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Definitions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;
using IoTRoutes.Core.Workflows.Triggers;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Workflows.Runner;

/// <summary>A message's way through each workflow that handled it, within the caller's part of the entity tree.</summary>
public sealed record MessageTraceDto(Guid MessageId, Guid DeviceId, DateTimeOffset ReceivedAt, IReadOnlyList<WorkflowTraceDto> Workflows);

/// <summary>
/// How one workflow handled a message: its recorded run (failed runs, runs in debug mode), or else a dry-run replay
/// (<paramref name="Replay"/>) of the version active when the message was received. <paramref name="Steps"/> is null for a
/// recorded run that was not traced; <paramref name="Effects"/> (what the replay would do) only for a replay.
/// </summary>
public sealed record WorkflowTraceDto(
    Guid WorkflowId, string Name, int Version, bool Replay, Guid? RunId, bool Succeeded, IReadOnlyList<string> Path,
    IReadOnlyList<DryRunStep>? Steps, RunFailure? Failure, IReadOnlyList<RecordedEffect>? Effects, string? Note);

/// <summary>
/// Traces a stored message through the workflows (Workflows View and Messages View, in the caller's scope). A workflow is
/// listed when it handled the message: its runner position has passed it, the message came after its first
/// publication, its device is in the workflow's part of the entity tree, and the trigger of the version that ran it
/// matched. Workflows that did not match, or have not reached the message yet, are left out.
/// </summary>
public sealed class MessageTraces(ScopedContexts contexts, WorkflowCompiler compiler, WorkflowDryRun dryRun)
{
    public const string ReplayNote =
        "Replayed as a dry run of the version active when the message was received; node state is read as it is now, so a " +
        "stateful node (Threshold, Anomaly) may take another way than it took then. The effects are what it would do: none happened now.";

    public const string UntracedNote = "Recorded when it failed: the path and the failing node's input. Each step is recorded only in debug mode.";

    /// <summary>The message's trace; null when there is no such message for the caller.</summary>
    /// <exception cref="PermissionDeniedException">The caller lacks Messages View.</exception>
    public async Task<MessageTraceDto?> TraceAsync(Guid messageId, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.View(SecuredObject.Workflows), ct);
        await using var _db = db;
        var message = await StoredMessageItems.FindAsync(db, caller, messageId, ct);
        if (message is null) return null;
        var workflows = await db.Workflows.AsNoTracking().Where(w => w.ActiveVersion != null).OrderBy(w => w.Name)
            .Select(w => new Candidate(w.Id, w.Name, w.Entity!.Path)).ToListAsync(ct);
        var ids = workflows.ConvertAll(w => w.Id);
        var runs = (await db.WorkflowRuns.AsNoTracking().Where(r => r.MessageId == messageId && ids.Contains(r.WorkflowId)).ToListAsync(ct))
            .GroupBy(r => r.WorkflowId).ToDictionary(g => g.Key, g => g.MaxBy(r => r.StartedAt)!); // a run repeated after a crash: its last
        var replays = await ReplayableAsync(db, message, workflows.Where(w => !runs.ContainsKey(w.Id)).ToList(), ct);

        var traces = new List<WorkflowTraceDto>();
        foreach (var workflow in workflows)
        {
            if (runs.TryGetValue(workflow.Id, out var run)) traces.Add(Recorded(workflow, run));
            else if (replays.TryGetValue(workflow.Id, out var replay)) traces.Add(await ReplayAsync(workflow, replay, message, ct));
        }

        return new MessageTraceDto(message.Id, message.DeviceId, message.ReceivedAt, traces);
    }

    /// <summary>Of the workflows without a recorded run, those that ran the message: the version that ran it, compiled.</summary>
    private async Task<Dictionary<Guid, (int Version, CompiledWorkflow Compiled)>> ReplayableAsync(
        AppDbContext db, StoredMessageItem message, List<Candidate> workflows, CancellationToken ct)
    {
        if (message.State != MessageState.Processed || message.Device is not { } device || message.Event is not { } e) return [];
        workflows = workflows.FindAll(w => device.Path.StartsWith(w.EntityPath, StringComparison.Ordinal));
        var ids = workflows.ConvertAll(w => w.Id);
        // Passed: the position of the device's partition is at the message or beyond.
        var partition = WorkflowPartitions.Of(message.DeviceId);
        var passed = (await db.WorkflowPositions.AsNoTracking().Where(p => ids.Contains(p.WorkflowId) && p.Partition == partition && p.LastMessageId >= message.Id)
            .Select(p => p.WorkflowId).ToListAsync(ct)).ToHashSet();
        var activations = (await db.WorkflowActivations.AsNoTracking().Where(a => passed.Contains(a.WorkflowId)).ToListAsync(ct))
            .GroupBy(a => a.WorkflowId).ToDictionary(g => g.Key, g => g.OrderBy(a => a.ActivatedAt).ToList());
        var handled = new Dictionary<Guid, int>();
        foreach (var (workflowId, history) in activations)
        {
            // The runner starts at the first publication's millisecond (MessageIds.Floor) and reads the ids after it.
            if (message.Id <= MessageIds.Floor(history[0].ActivatedAt)) continue;
            handled[workflowId] = (history.LastOrDefault(a => a.ActivatedAt <= message.ReceivedAt) ?? history[0]).Version;
        }

        var keys = handled.Keys.ToList();
        var definitions = await db.WorkflowVersions.AsNoTracking().Where(v => keys.Contains(v.WorkflowId))
            .Select(v => new { v.WorkflowId, v.Version, v.Definition }).ToListAsync(ct);
        var replayable = new Dictionary<Guid, (int, CompiledWorkflow)>();
        foreach (var (workflowId, version) in handled)
        {
            var definition = definitions.Single(d => d.WorkflowId == workflowId && d.Version == version).Definition;
            if (compiler.Compile(WorkflowGraph.Parse(definition)).Workflow is { Trigger: TriggerRunner { Kind: TriggerKind.Message } trigger } compiled
                && trigger.Matches(e, device.Within))
            {
                replayable[workflowId] = (version, compiled);
            }
        }

        return replayable;
    }

    private async Task<WorkflowTraceDto> ReplayAsync(Candidate workflow, (int Version, CompiledWorkflow Compiled) replay, StoredMessageItem message, CancellationToken ct)
    {
        var run = await dryRun.RunAsync(replay.Compiled, workflow.Id, replay.Version, message.MakeItem(), message.Id, ct);
        return new WorkflowTraceDto(workflow.Id, workflow.Name, replay.Version, true, null, run.Succeeded, run.Path, run.Steps, run.Failure, run.Effects, ReplayNote);
    }

    private static WorkflowTraceDto Recorded(Candidate workflow, WorkflowRunRecord run)
    {
        var trace = RecordedTrace.Read(run.Trace is { } text ? JsonNode.Parse(text) as JsonObject : null);
        var failure = run.Succeeded ? null : new RunFailure(run.FailedNode ?? "", run.Error ?? "", trace.Input);
        return new WorkflowTraceDto(workflow.Id, workflow.Name, run.Version, false, run.Id, run.Succeeded, trace.Path, trace.Steps, failure, null,
            trace.Steps is null ? UntracedNote : null);
    }

    private sealed record Candidate(Guid Id, string Name, string EntityPath);
}

using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Core.Workflows.Definitions;

/// <summary>What runs: nothing published yet, a published version, or nothing because it is disabled.</summary>
public enum WorkflowState
{
    DraftOnly,
    Published,
    Disabled,
}

/// <summary>
/// A workflow in a list, with its running version's lag and counters (<see cref="WorkflowRuntimeDto"/>; null when nothing is published).
/// </summary>
public sealed record WorkflowSummaryDto(
    Guid Id, string Name, string? Description, Guid EntityId, string? EntityName, WorkflowState State, int Revision, int? ActiveVersion,
    bool Enabled, DateTimeOffset? DebugUntil, int Problems, DateTimeOffset UpdatedAt, string? UpdatedBy, WorkflowRuntimeDto? Runtime = null);

/// <summary>A workflow with its draft, the draft's problems (what keeps it from being published) and its test cases.</summary>
public sealed record WorkflowDto(
    Guid Id, string Name, string? Description, Guid EntityId, WorkflowState State, JsonObject Definition, int Revision, int? ActiveVersion,
    bool Enabled, DateTimeOffset? DebugUntil, IReadOnlyList<WorkflowProblem> Problems, IReadOnlyList<WorkflowTestCase> TestCases,
    DateTimeOffset CreatedAt, string? CreatedBy, DateTimeOffset UpdatedAt, string? UpdatedBy, WorkflowRuntimeDto? Runtime = null);

/// <summary>
/// The running version, from the runner: messages stored and not yet run (counted up to 10,000), and each node's counters
/// (in, out per port, errors, time) since this process loaded the version.
/// </summary>
public sealed record WorkflowRuntimeDto(long Waiting, IReadOnlyList<NodeCounterSnapshot> Nodes);

/// <summary>A node as a list or a trace names it: <paramref name="Summary"/> is its settings in one line (<c>temp &gt; 30</c>), empty when they say nothing.</summary>
public sealed record WorkflowNodeSummary(string Id, string? Name, string Type, string Summary)
{
    /// <summary>Its name, or its id when it has none.</summary>
    public string Label => string.IsNullOrWhiteSpace(Name) ? Id : Name;
}

public sealed record WorkflowVersionDto(
    int Version, bool Active, DateTimeOffset PublishedAt, Guid? PublishedById, string? PublishedBy, string? Note, JsonObject Definition);

/// <summary>A new workflow: its name, owner (the caller's entity by default) and first draft.</summary>
public sealed record CreateWorkflowRequest(string Name, string? Description, Guid? EntityId, WorkflowGraph Graph, IReadOnlyList<WorkflowTestCase> TestCases);

/// <summary>A save of the draft from <paramref name="Revision"/>; name, description and test cases stay as they are when absent.</summary>
public sealed record UpdateWorkflowRequest(int Revision, string? Name, string? Description, WorkflowGraph Graph, IReadOnlyList<WorkflowTestCase>? TestCases);

/// <summary>
/// Why a save was refused as stale: the draft is at <paramref name="CurrentRevision"/>, saved by whom and when, and what
/// changed since the caller's <paramref name="BaseRevision"/>. <paramref name="ComparedWith"/> says against what the
/// changes were computed: the base revision when it is still kept, otherwise the caller's own draft.
/// </summary>
public sealed record StaleDraft(int BaseRevision, int CurrentRevision, string? SavedBy, DateTimeOffset SavedAt, string ComparedWith, WorkflowDiff Changes);

/// <summary>A draft save: done with the new revision, stale, or another change outcome.</summary>
public sealed record DraftSave(ChangeResult Change, int Revision = 0, StaleDraft? Stale = null);

/// <summary>A publish: the new version, or the problems that keep the draft from being published.</summary>
public sealed record PublishResult(ChangeOutcome Outcome, WorkflowVersionDto? Version, IReadOnlyList<WorkflowProblem> Problems, string? Error = null);

/// <summary>An action of the catalog as the designer's palette and settings form need it.</summary>
public sealed record WorkflowActionDto(
    string Type, ActionKind Kind, string Category, string Description, IReadOnlyList<SettingDescriptor> Settings, IReadOnlyList<string> OutputPorts);

namespace IoTRoutes.Core.Workflows.Definitions;

/// <summary>
/// A workflow owned by an entity: its draft (the graph JSON being edited, with a <see cref="Revision"/> that every save
/// increments) and which published version runs. Publishing copies the draft into a <see cref="WorkflowVersion"/>; the
/// draft can then change without touching what runs.
/// </summary>
public sealed class Workflow
{
    public Guid Id { get; set; }
    public Guid EntityId { get; set; }
    public Entities.Entity? Entity { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }

    /// <summary>The draft graph, as <see cref="Model.WorkflowGraph.ToJson"/> writes it.</summary>
    public string Draft { get; set; } = "{\"nodes\":[],\"links\":[]}";

    /// <summary>1 at creation, +1 on each save of the draft; a save names the revision it started from.</summary>
    public int Revision { get; set; } = 1;

    /// <summary>The published version that runs; null until the first publish.</summary>
    public int? ActiveVersion { get; set; }

    /// <summary>A disabled workflow keeps its versions but the runner does not run it.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Every run is traced until then (debug mode switches itself off).</summary>
    public DateTimeOffset? DebugUntil { get; set; }

    /// <summary>Inputs with expected outcomes (JSON array of <see cref="WorkflowTestCase"/>).</summary>
    public string TestCases { get; set; } = "[]";

    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }

    /// <summary>Makes <paramref name="draft"/> the next revision; the returned row keeps it in the draft history.</summary>
    public WorkflowDraftRevision SaveDraft(string draft, DateTimeOffset at, string? by)
    {
        (Draft, UpdatedAt, UpdatedBy) = (draft, at, by);
        Revision++;
        return new WorkflowDraftRevision { WorkflowId = Id, Revision = Revision, Definition = draft, SavedAt = at, SavedBy = by };
    }
}

/// <summary>A published version: the graph exactly as it was published, never changed afterwards.</summary>
public sealed class WorkflowVersion
{
    public Guid WorkflowId { get; set; }
    public int Version { get; set; }
    public required string Definition { get; set; }
    public DateTimeOffset PublishedAt { get; set; }
    public Guid? PublishedById { get; set; }
    public string? PublishedBy { get; set; }
    public string? Note { get; set; }
}

/// <summary>
/// A version becoming the one that runs, and when (every publish today). A message's trace finds by it the version that
/// handled a message: the one activated last before the message was received.
/// </summary>
public sealed class WorkflowActivation
{
    public Guid WorkflowId { get; set; }
    public int Version { get; set; }
    public DateTimeOffset ActivatedAt { get; set; }
}

/// <summary>
/// A recent draft revision, kept so that a stale save can be told what changed since the revision it started from
/// (the last <see cref="WorkflowService.KeptDrafts"/> per workflow).
/// </summary>
public sealed class WorkflowDraftRevision
{
    public Guid WorkflowId { get; set; }
    public int Revision { get; set; }
    public required string Definition { get; set; }
    public DateTimeOffset SavedAt { get; set; }
    public string? SavedBy { get; set; }
}

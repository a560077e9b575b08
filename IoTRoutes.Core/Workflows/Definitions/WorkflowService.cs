using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Audit;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Workflows.Definitions;

/// <summary>
/// Workflows within the caller's part of the entity tree: list, read, create, save the draft (from the revision it was
/// loaded at), delete, publish (Workflows.Publish), versions and restore, enable and disable, debug mode; for the
/// designer, compare two definitions, export and import. Every change is audited.
/// </summary>
public sealed class WorkflowService(ScopedContexts contexts, IServiceProvider services, TimeProvider clock, AuditTrail audit)
{
    /// <summary>Draft revisions kept per workflow, so a stale save can be told what changed since its revision.</summary>
    public const int KeptDrafts = 20;

    public static readonly TimeSpan DebugDuration = TimeSpan.FromMinutes(15);

    private static readonly Permission View = Permission.View(SecuredObject.Workflows);
    private static readonly Permission Manage = Permission.Manage(SecuredObject.Workflows);

    // Resolved when first needed: the compiler needs the expression and template languages.
    private WorkflowCompiler Compiler => services.GetRequiredService<WorkflowCompiler>();
    private DraftProblems DraftProblems => services.GetRequiredService<DraftProblems>();

    public async Task<IReadOnlyList<WorkflowSummaryDto>> ListAsync(CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(View, ct);
        await using var _db = db;
        var rows = await db.Workflows.AsNoTracking().OrderBy(w => w.Name)
            .Select(w => new { Workflow = w, EntityName = w.Entity!.Name }).ToListAsync(ct);
        var runner = services.GetService<Runner.WorkflowRunner>();
        var list = new List<WorkflowSummaryDto>(rows.Count);
        foreach (var r in rows)
        {
            list.Add(new WorkflowSummaryDto(
                r.Workflow.Id, r.Workflow.Name, r.Workflow.Description, r.Workflow.EntityId, r.EntityName, StateOf(r.Workflow), r.Workflow.Revision,
                r.Workflow.ActiveVersion, r.Workflow.Enabled, ActiveDebug(r.Workflow), DraftProblems.Of(r.Workflow.Id, r.Workflow.Draft).Count,
                r.Workflow.UpdatedAt, r.Workflow.UpdatedBy, runner is null ? null : await runner.RuntimeAsync(db, r.Workflow.Id, r.Workflow.ActiveVersion, ct)));
        }

        return list;
    }

    public async Task<WorkflowDto?> FindAsync(Guid id, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(View, ct);
        await using var _db = db;
        var workflow = await db.Workflows.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id, ct);
        if (workflow is null) return null;
        var runtime = services.GetService<Runner.WorkflowRunner>() is { } runner ? await runner.RuntimeAsync(db, id, workflow.ActiveVersion, ct) : null;
        return ToDto(workflow) with { Runtime = runtime };
    }

    /// <summary>
    /// The active version's lag and counters (<see cref="Runner.WorkflowRunner.RuntimeAsync"/>), for a page that refreshes
    /// them; null when there is no such workflow for the caller or nothing is published.
    /// </summary>
    public async Task<WorkflowRuntimeDto?> RuntimeAsync(Guid id, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(View, ct);
        await using var _db = db;
        var workflow = await db.Workflows.Where(w => w.Id == id).Select(w => new { w.ActiveVersion }).SingleOrDefaultAsync(ct);
        return workflow is not null && services.GetService<Runner.WorkflowRunner>() is { } runner ? await runner.RuntimeAsync(db, id, workflow.ActiveVersion, ct) : null;
    }

    /// <summary>Each node of <paramref name="graph"/> as a list or a trace names it: id, name, type and its settings in one line.</summary>
    public IReadOnlyList<WorkflowNodeSummary> Summaries(WorkflowGraph graph)
    {
        var catalog = services.GetRequiredService<ActionCatalog>();
        return [.. graph.Nodes.Select(n => new WorkflowNodeSummary(n.Id, n.Name, n.Type, catalog.Find(n.Type)?.Summarize(n.Settings) ?? ""))];
    }

    /// <summary>The draft's problems: what keeps it from being published.</summary>
    public IReadOnlyList<WorkflowProblem> Problems(WorkflowGraph graph) => Compiler.Compile(graph).Problems;

    public async Task<ChangeResult> CreateAsync(CreateWorkflowRequest request, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Manage, ct);
        await using var _db = db;
        var entityId = request.EntityId ?? caller.Scope.EntityId;
        if (await EntityProblemAsync(db, entityId, ct) is { } missing)
        {
            return missing;
        }

        if (await NameTakenAsync(db, entityId, request.Name, ct))
        {
            return ChangeResult.Invalid("name", $"There is already a workflow named {request.Name} in this entity.");
        }

        return await AddAsync(db, caller, entityId, request.Name, request.Description, request.Graph, request.TestCases,
            AuditActions.WorkflowCreated, $"revision 1, {request.Graph.Nodes.Count} nodes", ct);
    }

    /// <summary>
    /// The draft as a self-contained document (<see cref="WorkflowDocument"/>) with its test cases; null when there is no
    /// such workflow for the caller.
    /// </summary>
    public async Task<WorkflowDocument?> ExportAsync(Guid id, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(View, ct);
        await using var _db = db;
        var workflow = await db.Workflows.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id, ct);
        return workflow is null
            ? null
            : new WorkflowDocument(WorkflowDocument.Kind, WorkflowDocument.CurrentVersion, workflow.Name, workflow.Description,
                WorkflowGraph.Parse(workflow.Draft).ToJsonObject(), TestCasesOf(workflow), clock.GetUtcNow());
    }

    /// <summary>
    /// A new workflow from a document, as a draft (nothing published), node ids kept: importing a document twice makes two
    /// workflows. Unknown node types are refused (a server without the action could never run it); other problems stay in
    /// the draft, as at creation. Without a chosen name, a taken one is numbered (<c>Hot rooms (2)</c>).
    /// </summary>
    public async Task<ChangeResult> ImportAsync(ImportWorkflowRequest request, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Manage, ct);
        await using var _db = db;
        var catalog = services.GetRequiredService<ActionCatalog>();
        var unknown = request.Graph.Nodes.Select((node, i) => (node, i)).Where(n => catalog.Find(n.node.Type) is null)
            .ToDictionary(n => $"document.definition.nodes[{n.i}].type", n => new[] { $"Unknown node type {n.node.Type}: this server has no such action." });
        if (unknown.Count > 0)
        {
            return new ChangeResult(ChangeOutcome.Invalid, Errors: unknown);
        }

        var entityId = request.EntityId ?? caller.Scope.EntityId;
        if (await EntityProblemAsync(db, entityId, ct) is { } missing)
        {
            return missing;
        }

        if (request.Name is { } chosen && await NameTakenAsync(db, entityId, chosen, ct))
        {
            return ChangeResult.Invalid("name", $"There is already a workflow named {chosen} in this entity.");
        }

        var name = request.Name ?? await FreeNameAsync(db, entityId, request.DocumentName, ct);
        var from = name == request.DocumentName ? "" : $" (the document's name is {request.DocumentName})";
        return await AddAsync(db, caller, entityId, name, request.Description, request.Graph, request.TestCases,
            AuditActions.WorkflowImported, $"revision 1, {request.Graph.Nodes.Count} nodes, {request.TestCases.Count} test cases{from}", ct);
    }

    /// <summary>
    /// The changes from one definition to another (<see cref="WorkflowSide"/>: the active version, the draft, a version).
    /// Before the first publish, the active version is an empty definition.
    /// </summary>
    public async Task<ComparisonResult> CompareAsync(Guid id, WorkflowSide from, WorkflowSide to, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(View, ct);
        await using var _db = db;
        var workflow = await db.Workflows.AsNoTracking().Where(w => w.Id == id)
            .Select(w => new { w.Name, w.Draft, w.Revision, w.ActiveVersion }).SingleOrDefaultAsync(ct);
        if (workflow is null)
        {
            return new ComparisonResult(ChangeOutcome.NotFound);
        }

        async Task<(WorkflowGraph? Graph, ComparedDefinition Side)> LoadAsync(WorkflowSide side)
        {
            if (side.Kind == WorkflowSideKind.Draft)
            {
                return (WorkflowGraph.Parse(workflow.Draft), new ComparedDefinition($"draft (revision {workflow.Revision})", null, workflow.Revision));
            }

            var version = side.Kind == WorkflowSideKind.Active ? workflow.ActiveVersion : side.Version;
            if (version is null)
            {
                return (WorkflowGraph.Empty, new ComparedDefinition("nothing published", null, null));
            }

            var stored = await db.WorkflowVersions.Where(v => v.WorkflowId == id && v.Version == version).Select(v => v.Definition).SingleOrDefaultAsync(ct);
            var label = version == workflow.ActiveVersion ? $"v{version} (active)" : $"v{version}";
            return (stored is null ? null : WorkflowGraph.Parse(stored), new ComparedDefinition(label, version, null));
        }

        var (before, fromSide) = await LoadAsync(from);
        var (after, toSide) = await LoadAsync(to);
        if (before is null || after is null)
        {
            return new ComparisonResult(ChangeOutcome.NotFound, Error: $"Workflow {workflow.Name} has no version {(before is null ? fromSide : toSide).Version}.");
        }

        return new ComparisonResult(ChangeOutcome.Done, new WorkflowComparison(fromSide, toSide, WorkflowDiff.Between(before, after)));
    }

    /// <summary>
    /// Saves the draft as the next revision, if it was loaded at the current one. A stale save is refused with what changed
    /// since its revision (computed from the kept revisions, or against the caller's draft when its revision is too old).
    /// </summary>
    public async Task<DraftSave> UpdateAsync(Guid id, UpdateWorkflowRequest request, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Manage, ct);
        await using var _db = db;
        var workflow = await db.Workflows.SingleOrDefaultAsync(w => w.Id == id, ct);
        if (workflow is null)
        {
            return new DraftSave(ChangeResult.NotFound);
        }

        if (request.Revision != workflow.Revision)
        {
            return await StaleAsync(db, workflow, request, ct);
        }

        var name = request.Name ?? workflow.Name;
        if (name != workflow.Name && await db.Workflows.IgnoreQueryFilters().AnyAsync(w => w.EntityId == workflow.EntityId && w.Name == name && w.Id != id, ct))
        {
            return new DraftSave(ChangeResult.Invalid("name", $"There is already a workflow named {name} in this entity."));
        }

        var before = WorkflowGraph.Parse(workflow.Draft);
        var details = $"revision {workflow.Revision} → {workflow.Revision + 1}: {WorkflowDiff.Between(before, request.Graph).Describe()}";
        if (name != workflow.Name) details += $"; renamed from {workflow.Name}";
        var now = clock.GetUtcNow();
        var by = await EmailOfAsync(db, caller, ct);
        workflow.Name = name;
        workflow.Description = request.Description ?? workflow.Description;
        if (request.TestCases is not null) workflow.TestCases = JsonSerializer.Serialize(request.TestCases, WorkflowGraph.Json);
        db.WorkflowDrafts.Add(workflow.SaveDraft(request.Graph.ToJson(), now, by));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another save from the same revision committed first (the revision is a concurrency token).
            await using var fresh = (await contexts.CreateAsync(Manage, ct)).Db;
            var current = await fresh.Workflows.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id, ct);
            return current is null ? new DraftSave(ChangeResult.NotFound) : await StaleAsync(fresh, current, request, ct);
        }

        await db.WorkflowDrafts.Where(d => d.WorkflowId == id && d.Revision <= workflow.Revision - KeptDrafts).ExecuteDeleteAsync(ct);
        await audit.RecordAsync(AuditActions.WorkflowDraftSaved, caller, workflow.Name, details, ct);
        return new DraftSave(ChangeResult.Done(id), workflow.Revision);
    }

    public async Task<ChangeResult> DeleteAsync(Guid id, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Manage, ct);
        await using var _db = db;
        var workflow = await db.Workflows.SingleOrDefaultAsync(w => w.Id == id, ct);
        if (workflow is null)
        {
            return ChangeResult.NotFound;
        }

        db.Workflows.Remove(workflow);
        await db.SaveChangesAsync(ct);
        // What the runner kept of it goes too (no foreign keys: the runner writes off the request path).
        await db.WorkflowNodeStates.Where(s => s.WorkflowId == id).ExecuteDeleteAsync(ct);
        await db.WorkflowPositions.Where(p => p.WorkflowId == id).ExecuteDeleteAsync(ct);
        await db.WorkflowRuns.Where(r => r.WorkflowId == id).ExecuteDeleteAsync(ct);
        services.GetService<State.DurableNodeState>()?.Forget(id);
        DraftProblems.Forget(id);
        var active = workflow.ActiveVersion is { } v ? $"v{v} was active" : "never published";
        await audit.RecordAsync(AuditActions.WorkflowDeleted, caller, workflow.Name, $"revision {workflow.Revision}, {active}", ct);
        return ChangeResult.Done(id);
    }

    /// <summary>
    /// Compiles the draft; without problems it becomes the next version and the active one. With <paramref name="revision"/>
    /// (the draft the publisher reviewed), a draft saved since is refused (409): what goes live is what was looked at.
    /// </summary>
    public async Task<PublishResult> PublishAsync(Guid id, string? note, int? revision, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Of(SecuredActions.WorkflowsPublish), ct);
        await using var _db = db;
        var workflow = await db.Workflows.SingleOrDefaultAsync(w => w.Id == id, ct);
        if (workflow is null)
        {
            return new PublishResult(ChangeOutcome.NotFound, null, []);
        }

        if (revision is { } reviewed && reviewed != workflow.Revision)
        {
            return new PublishResult(ChangeOutcome.Conflict, null, [],
                $"The draft of {workflow.Name} is at revision {workflow.Revision} (saved {workflow.UpdatedAt:yyyy-MM-dd HH:mm:ss} by {workflow.UpdatedBy ?? "someone"}), not {reviewed}: reload it and review it before publishing.");
        }

        var graph = WorkflowGraph.Parse(workflow.Draft);
        var problems = Problems(graph);
        if (problems.Count > 0)
        {
            return new PublishResult(ChangeOutcome.Invalid, null, problems, $"The draft has {problems.Count} problem(s): fix them before publishing.");
        }

        var last = await db.WorkflowVersions.Where(v => v.WorkflowId == id).MaxAsync(v => (int?)v.Version, ct) ?? 0;
        var previous = workflow.ActiveVersion;
        var version = new WorkflowVersion
        {
            WorkflowId = id, Version = last + 1, Definition = workflow.Draft, PublishedAt = clock.GetUtcNow(),
            PublishedById = caller.UserId, PublishedBy = await EmailOfAsync(db, caller, ct), Note = Clip(note, WorkflowRules.MaxNoteLength),
        };
        db.WorkflowVersions.Add(version);
        workflow.ActiveVersion = version.Version;
        db.WorkflowActivations.Add(new WorkflowActivation { WorkflowId = id, Version = version.Version, ActivatedAt = version.PublishedAt });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return new PublishResult(ChangeOutcome.Conflict, null, [], $"Workflow {workflow.Name} was published by someone else meanwhile: reload it.");
        }

        var changes = previous is { } was
            ? WorkflowDiff.Between(WorkflowGraph.Parse(await db.WorkflowVersions.Where(v => v.WorkflowId == id && v.Version == was).Select(v => v.Definition).SingleAsync(ct)), graph).Describe()
            : "first version";
        await audit.RecordAsync(AuditActions.WorkflowPublished, caller, workflow.Name,
            $"v{version.Version} from revision {workflow.Revision} (active was {(previous is null ? "none" : $"v{previous}")}): {changes}", ct);
        return new PublishResult(ChangeOutcome.Done, ToDto(version, version.Version), []);
    }

    public async Task<IReadOnlyList<WorkflowVersionDto>?> VersionsAsync(Guid id, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(View, ct);
        await using var _db = db;
        var active = await db.Workflows.Where(w => w.Id == id).Select(w => new { w.ActiveVersion }).SingleOrDefaultAsync(ct);
        if (active is null)
        {
            return null;
        }

        var versions = await db.WorkflowVersions.AsNoTracking().Where(v => v.WorkflowId == id).OrderByDescending(v => v.Version).ToListAsync(ct);
        return versions.ConvertAll(v => ToDto(v, active.ActiveVersion));
    }

    /// <summary>
    /// Copies version <paramref name="version"/> into the draft as a new revision. What runs does not change: publishing
    /// the restored draft is a separate step (and needs Workflows.Publish).
    /// </summary>
    public async Task<DraftSave> RestoreAsync(Guid id, int version, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Manage, ct);
        await using var _db = db;
        var workflow = await db.Workflows.SingleOrDefaultAsync(w => w.Id == id, ct);
        if (workflow is null)
        {
            return new DraftSave(ChangeResult.NotFound);
        }

        var stored = await db.WorkflowVersions.AsNoTracking().SingleOrDefaultAsync(v => v.WorkflowId == id && v.Version == version, ct);
        if (stored is null)
        {
            return new DraftSave(ChangeResult.Invalid("version", $"Workflow {workflow.Name} has no version {version}."));
        }

        var changes = WorkflowDiff.Between(WorkflowGraph.Parse(workflow.Draft), WorkflowGraph.Parse(stored.Definition)).Describe();
        var now = clock.GetUtcNow();
        var by = await EmailOfAsync(db, caller, ct);
        db.WorkflowDrafts.Add(workflow.SaveDraft(stored.Definition, now, by));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return new DraftSave(ChangeResult.Conflict("revision", $"The draft of {workflow.Name} was saved meanwhile: reload it and restore again."));
        }

        await audit.RecordAsync(AuditActions.WorkflowRestored, caller, workflow.Name, $"v{version} into the draft, revision {workflow.Revision}: {changes}", ct);
        return new DraftSave(ChangeResult.Done(id), workflow.Revision);
    }

    /// <summary>Enables or disables the workflow: a disabled one is not run, whatever version is active.</summary>
    public async Task<ChangeResult> SetEnabledAsync(Guid id, bool enabled, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Manage, ct);
        await using var _db = db;
        var workflow = await db.Workflows.SingleOrDefaultAsync(w => w.Id == id, ct);
        if (workflow is null)
        {
            return ChangeResult.NotFound;
        }

        if (workflow.Enabled == enabled)
        {
            return ChangeResult.Done(id);
        }

        workflow.Enabled = enabled;
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(enabled ? AuditActions.WorkflowEnabled : AuditActions.WorkflowDisabled, caller, workflow.Name,
            enabled ? "disabled → enabled" : "enabled → disabled", ct);
        return ChangeResult.Done(id);
    }

    /// <summary>Debug mode: every run traced for <see cref="DebugDuration"/> from now; off at once when <paramref name="on"/> is false.</summary>
    public async Task<(ChangeResult Change, DateTimeOffset? Until)> SetDebugAsync(Guid id, bool on, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Manage, ct);
        await using var _db = db;
        var workflow = await db.Workflows.SingleOrDefaultAsync(w => w.Id == id, ct);
        if (workflow is null)
        {
            return (ChangeResult.NotFound, null);
        }

        var was = ActiveDebug(workflow);
        workflow.DebugUntil = on ? clock.GetUtcNow() + DebugDuration : null;
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditActions.WorkflowDebug, caller, workflow.Name,
            $"debug {(was is null ? "off" : $"until {was:O}")} → {(workflow.DebugUntil is { } until ? $"until {until:O}" : "off")}", ct);
        return (ChangeResult.Done(id), workflow.DebugUntil);
    }

    /// <summary>The actions the designer can place, with their settings and output ports.</summary>
    public async Task<IReadOnlyList<WorkflowActionDto>> ActionsAsync(CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(View, ct);
        await db.DisposeAsync();
        return [.. services.GetRequiredService<ActionCatalog>().All
            .OrderBy(a => a.Kind).ThenBy(a => a.Category).ThenBy(a => a.Type)
            .Select(a => new WorkflowActionDto(a.Type, a.Kind, a.Category, a.Description, a.Settings,
                [.. a.OutputPorts([]).Where(p => p != WorkflowPorts.Error), WorkflowPorts.Error]))];
    }

    private async Task<DraftSave> StaleAsync(AppDbContext db, Workflow current, UpdateWorkflowRequest request, CancellationToken ct)
    {
        var baseDraft = await db.WorkflowDrafts.Where(d => d.WorkflowId == current.Id && d.Revision == request.Revision)
            .Select(d => d.Definition).SingleOrDefaultAsync(ct);
        var now = WorkflowGraph.Parse(current.Draft);
        var (from, compared) = baseDraft is not null
            ? (WorkflowGraph.Parse(baseDraft), $"revision {request.Revision}")
            : (request.Graph, "your draft (revision " + request.Revision + " is no longer kept)");
        var stale = new StaleDraft(request.Revision, current.Revision, current.UpdatedBy, current.UpdatedAt, compared, WorkflowDiff.Between(from, now));
        var message = $"The draft was saved as revision {current.Revision} by {current.UpdatedBy ?? "someone"} at {current.UpdatedAt:u} " +
                      $"since your revision {request.Revision} ({stale.Changes.Describe()}): reload it and apply your changes again.";
        return new DraftSave(ChangeResult.Conflict("revision", message, current.Id), current.Revision, stale);
    }

    // The entity is looked for through the caller's scope: one outside it is refused as if it did not exist.
    private static async Task<ChangeResult?> EntityProblemAsync(AppDbContext db, Guid entityId, CancellationToken ct) =>
        await db.Entities.AnyAsync(e => e.Id == entityId, ct) ? null : ChangeResult.Invalid("entityId", $"There is no entity {entityId}.");

    private static Task<bool> NameTakenAsync(AppDbContext db, Guid entityId, string name, CancellationToken ct) =>
        db.Workflows.IgnoreQueryFilters().AnyAsync(w => w.EntityId == entityId && w.Name == name, ct);

    /// <summary><paramref name="name"/>, or when taken the first free <c>name (n)</c>, n from 2, within the name's length limit.</summary>
    private static async Task<string> FreeNameAsync(AppDbContext db, Guid entityId, string name, CancellationToken ct)
    {
        var stem = name.Length > WorkflowRules.MaxNameLength - 6 ? name[..(WorkflowRules.MaxNameLength - 6)].TrimEnd() : name;
        var taken = (await db.Workflows.IgnoreQueryFilters().Where(w => w.EntityId == entityId && w.Name.StartsWith(stem))
            .Select(w => w.Name).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        if (!taken.Contains(name)) return name;
        for (var n = 2; ; n++)
        {
            if (!taken.Contains($"{stem} ({n})")) return $"{stem} ({n})";
        }
    }

    private async Task<ChangeResult> AddAsync(
        AppDbContext db, Caller caller, Guid entityId, string name, string? description, WorkflowGraph graph, IReadOnlyList<WorkflowTestCase> tests,
        string auditAction, string details, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var by = await EmailOfAsync(db, caller, ct);
        var workflow = new Workflow
        {
            Id = Guid.CreateVersion7(), EntityId = entityId, Name = name, Description = description,
            Draft = graph.ToJson(), TestCases = JsonSerializer.Serialize(tests, WorkflowGraph.Json),
            CreatedAt = now, CreatedBy = by, UpdatedAt = now, UpdatedBy = by,
        };
        db.Workflows.Add(workflow);
        db.WorkflowDrafts.Add(new WorkflowDraftRevision { WorkflowId = workflow.Id, Revision = 1, Definition = workflow.Draft, SavedAt = now, SavedBy = by });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same name saved meanwhile (unique per entity) is the caller's to change; anything else is a bug.
            if (!await NameTakenAsync(db, entityId, name, ct)) throw;
            return ChangeResult.Invalid("name", $"There is already a workflow named {name} in this entity (created just now).");
        }

        await audit.RecordAsync(auditAction, caller, workflow.Name, details, ct);
        return ChangeResult.Done(workflow.Id);
    }

    internal static WorkflowState StateOf(Workflow w) =>
        !w.Enabled ? WorkflowState.Disabled : w.ActiveVersion is null ? WorkflowState.DraftOnly : WorkflowState.Published;

    private DateTimeOffset? ActiveDebug(Workflow w) => w.DebugUntil > clock.GetUtcNow() ? w.DebugUntil : null;

    private WorkflowDto ToDto(Workflow w)
    {
        var graph = WorkflowGraph.Parse(w.Draft);
        return new WorkflowDto(w.Id, w.Name, w.Description, w.EntityId, StateOf(w), graph.ToJsonObject(), w.Revision, w.ActiveVersion, w.Enabled,
            ActiveDebug(w), DraftProblems.Of(w.Id, w.Draft), TestCasesOf(w), w.CreatedAt, w.CreatedBy, w.UpdatedAt, w.UpdatedBy);
    }

    internal static IReadOnlyList<WorkflowTestCase> TestCasesOf(Workflow w) =>
        JsonSerializer.Deserialize<List<WorkflowTestCase>>(w.TestCases, WorkflowGraph.Json) ?? [];

    private static WorkflowVersionDto ToDto(WorkflowVersion v, int? active) =>
        new(v.Version, v.Version == active, v.PublishedAt, v.PublishedById, v.PublishedBy, v.Note, WorkflowGraph.Parse(v.Definition).ToJsonObject());

    private static Task<string?> EmailOfAsync(AppDbContext db, Caller caller, CancellationToken ct) =>
        db.Users.IgnoreQueryFilters().Where(u => u.Id == caller.UserId).Select(u => u.Email).FirstOrDefaultAsync(ct);

    private static string? Clip(string? text, int max) =>
        string.IsNullOrWhiteSpace(text) ? null : text.Trim() is var t && t.Length > max ? t[..max] : text.Trim();
}

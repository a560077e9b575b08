using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Formats;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Messaging.Pipeline;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;
using IoTRoutes.Core.Workflows.State;
using IoTRoutes.Core.Workflows.Triggers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Workflows.Runner;

/// <summary>
/// Runs the active version of every enabled OnMessage workflow on the messages stored after it was first published, in
/// id order (so in order per device), never past the intake's committed watermark. It reads from the workflow's durable
/// position and moves it, with the node state, once a batch has run: a restart resumes there, so no stored message is
/// skipped and one is run twice only when a crash comes between a run and its batch's commit (at least once). The
/// PUBACK never waits for it. Failed runs are recorded, and every run while debug mode is on.
/// </summary>
/// <remarks>
/// The first slice of the runner: one partition per workflow, on one node. Leases for several nodes, device events
/// (OnDevice*), persisted counters and lag come next (docs/decisions/workflows.md).
/// </remarks>
public sealed class WorkflowRunner(
    IDbContextFactory<AppDbContext> contexts, MessageIntake intake, WorkflowCompiler compiler, DurableNodeState state,
    IServiceProvider services, TimeProvider clock, ILogger<WorkflowRunner> logger) : BackgroundService
{
    public const int BatchSize = 500;
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(200);

    private readonly ConcurrentDictionary<(Guid Workflow, int Version), CompiledWorkflow?> _compiled = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var ran = 0;
            try
            {
                ran = await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Running workflows failed; the next round starts from the same positions");
            }

            if (ran == 0) await Task.Delay(Pause, clock, stoppingToken);
        }
    }

    private bool _refusalLogged;

    /// <summary>One round: a batch for each active workflow; how many messages were run.</summary>
    internal async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (db.Database.IsSqlServer())
        {
            // SQL Server orders uniqueidentifier by its last bytes first: "ids after the position" would not be "stored
            // after", and messages would be skipped. Said once, rather than run wrongly.
            if (!_refusalLogged) logger.LogError("Workflows do not run on SQL Server yet: its order of message ids is not their time order");
            _refusalLogged = true;
            return 0;
        }

        var active = await db.Workflows.IgnoreQueryFilters().Where(w => w.Enabled && w.ActiveVersion != null)
            .Select(w => new ActiveWorkflow(w.Id, w.Entity!.Path, w.ActiveVersion!.Value, w.DebugUntil)).ToListAsync(ct);
        var ran = 0;
        foreach (var workflow in active)
        {
            if (await CompiledAsync(db, workflow, ct) is { Trigger: TriggerRunner { Kind: TriggerKind.Message } } compiled)
            {
                ran += await RunMessagesAsync(db, workflow, compiled, ct);
            }
        }

        return ran;
    }

    /// <summary>How many messages a lag count stops at: counting a large backlog exactly would cost a scan.</summary>
    public const int MaxWaiting = 10_000;

    /// <summary>
    /// What the runner knows of a workflow's active version: the messages stored and not yet run (at most
    /// <see cref="MaxWaiting"/>), and its nodes' counters since this process loaded it. Null when nothing is published.
    /// </summary>
    public async Task<Definitions.WorkflowRuntimeDto?> RuntimeAsync(AppDbContext db, Guid workflowId, int? activeVersion, CancellationToken ct)
    {
        if (activeVersion is not { } version) return null;
        var after = await db.WorkflowPositions.AsNoTracking().Where(p => p.WorkflowId == workflowId).Select(p => (Guid?)p.LastMessageId).FirstOrDefaultAsync(ct);
        var waiting = 0;
        if (after is { } position)
        {
            var watermark = intake.Watermark(clock.GetUtcNow());
            waiting = await db.Messages.IgnoreQueryFilters().Where(m => m.Id > position && m.Id < watermark).Take(MaxWaiting).CountAsync(ct);
        }

        var counters = _compiled.TryGetValue((workflowId, version), out var compiled) && compiled is not null ? compiled.Counters() : [];
        return new Definitions.WorkflowRuntimeDto(waiting, counters);
    }

    private async Task<CompiledWorkflow?> CompiledAsync(AppDbContext db, ActiveWorkflow workflow, CancellationToken ct)
    {
        if (_compiled.TryGetValue((workflow.Id, workflow.Version), out var known)) return known;
        var definition = await db.WorkflowVersions.Where(v => v.WorkflowId == workflow.Id && v.Version == workflow.Version).Select(v => v.Definition).SingleAsync(ct);
        var (compiled, problems) = compiler.Compile(WorkflowGraph.Parse(definition));
        if (compiled is null)
        {
            logger.LogWarning("Workflow {WorkflowId} v{Version} no longer compiles ({Problem}); it does not run", workflow.Id, workflow.Version, problems.FirstOrDefault()?.Message);
        }

        return _compiled[(workflow.Id, workflow.Version)] = compiled;
    }

    private async Task<int> RunMessagesAsync(AppDbContext db, ActiveWorkflow workflow, CompiledWorkflow compiled, CancellationToken ct)
    {
        var position = await db.WorkflowPositions.FindAsync([workflow.Id, 0], ct);
        if (position is null)
        {
            // From the moment it was first published: what was stored before is not its business.
            var first = await db.WorkflowVersions.Where(v => v.WorkflowId == workflow.Id).MinAsync(v => v.PublishedAt, ct);
            position = new WorkflowPosition { WorkflowId = workflow.Id, LastMessageId = MessageIds.Floor(first), UpdatedAt = clock.GetUtcNow() };
            db.WorkflowPositions.Add(position);
        }

        var after = position.LastMessageId;
        var watermark = intake.Watermark(clock.GetUtcNow());
        var batch = await db.Messages.IgnoreQueryFilters()
            .Where(m => m.Id > after && m.Id < watermark)
            .OrderBy(m => m.Id).Take(BatchSize)
            .Select(m => new { m.Id, m.DeviceId, m.State, m.Topic, m.ReceivedAt, m.DeviceTime, m.Data, m.Payload, m.FormatId })
            .ToListAsync(ct);
        if (batch.Count == 0)
        {
            if (db.Entry(position).State == EntityState.Added) await db.SaveChangesAsync(ct);
            return 0;
        }

        var devices = await DevicesAsync(db, batch.Select(m => m.DeviceId).Distinct().ToList(), ct);
        var exchanges = await ExchangeTypesAsync(db, batch.Select(m => m.FormatId).OfType<Guid>().Distinct().ToList(), ct);
        var paths = await db.Entities.IgnoreQueryFilters().Select(e => new { e.Id, e.Path }).ToDictionaryAsync(e => e.Id, e => e.Path, ct);
        bool Within(Guid entity, Guid ancestor) => paths.TryGetValue(entity, out var path) && paths.TryGetValue(ancestor, out var above) && path.StartsWith(above, StringComparison.Ordinal);
        var trigger = (TriggerRunner)compiled.Trigger;
        var debug = workflow.DebugUntil > clock.GetUtcNow();
        var effects = new PerformingEffects(services);
        foreach (var message in batch)
        {
            // Only what is stored as Processed, of a device in the workflow's own part of the entity tree.
            if (message.State != MessageState.Processed || !devices.TryGetValue(message.DeviceId, out var device) || !device.Path.StartsWith(workflow.EntityPath, StringComparison.Ordinal))
            {
                continue;
            }

            var exchange = message.FormatId is { } format ? exchanges.GetValueOrDefault(format, ExchangeType.Telemetry) : ExchangeType.Telemetry;
            if (!trigger.Matches(new TriggerEvent(TriggerKind.Message, device.Context.Id, device.Context.EntityId, device.Context.ProfileId, exchange), Within))
            {
                continue;
            }

            var item = MessageItems.From(message.Id, message.Topic, message.ReceivedAt, message.DeviceTime, message.Data, message.Payload, device.Context);
            var started = clock.GetUtcNow();
            var run = new RunContext(Guid.CreateVersion7(), workflow.Id, workflow.Version, effects, state, clock, ct) { Trace = debug, SourceId = message.Id };
            var outcome = await WorkflowExecutor.RunAsync(compiled, item, run);
            if (!outcome.Succeeded || debug)
            {
                db.WorkflowRuns.Add(Record(run, outcome, message.Id, message.DeviceId, started));
            }
        }

        position.LastMessageId = batch[^1].Id;
        position.UpdatedAt = clock.GetUtcNow();
        await state.FlushAsync(ct);
        await db.SaveChangesAsync(ct);
        return batch.Count;
    }

    private WorkflowRunRecord Record(RunContext run, RunOutcome outcome, Guid messageId, Guid deviceId, DateTimeOffset started) => new()
    {
        Id = run.RunId, WorkflowId = run.WorkflowId, Version = run.Version, MessageId = messageId, DeviceId = deviceId, Succeeded = outcome.Succeeded,
        StartedAt = started, ElapsedMilliseconds = (clock.GetUtcNow() - started).TotalMilliseconds,
        FailedNode = outcome.Failure?.NodeId, Error = outcome.Failure?.Error is { Length: > 2048 } text ? text[..2045] + "..." : outcome.Failure?.Error,
        Trace = new JsonObject
        {
            ["path"] = new JsonArray([.. outcome.Path.Select(p => (JsonNode)p)]),
            ["input"] = outcome.Failure?.Input?.DeepClone(),
            ["steps"] = outcome.Steps is { } steps ? System.Text.Json.JsonSerializer.SerializeToNode(steps, WorkflowGraph.Json) : null,
        }.ToJsonString(),
    };

    private static async Task<Dictionary<Guid, RunDevice>> DevicesAsync(AppDbContext db, List<Guid> ids, CancellationToken ct)
    {
        var rows = await db.Devices.IgnoreQueryFilters().Where(d => ids.Contains(d.Id))
            .Select(d => new { d.Id, d.Name, d.Key, d.EntityId, d.Entity!.Path, d.ProfileId }).ToListAsync(ct);
        var profileIds = rows.Select(r => r.ProfileId).OfType<Guid>().Distinct().ToList();
        var profiles = await db.Profiles.IgnoreQueryFilters().Where(p => profileIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        // Read once per batch: an attribute a run sets is seen from the next batch on.
        var attributes = await Devices.Attributes.DeviceAttributeReader.ReadAsync(db, ids, ct);
        return rows.ToDictionary(r => r.Id, r => new RunDevice(
            new DeviceContext(r.Id, r.Name, r.Key, r.EntityId, r.ProfileId, r.ProfileId is { } p ? profiles.GetValueOrDefault(p) : null,
                attributes.GetValueOrDefault(r.Id) ?? Devices.Attributes.DeviceAttributeReader.None),
            r.Path));
    }

    private static Task<Dictionary<Guid, ExchangeType>> ExchangeTypesAsync(AppDbContext db, List<Guid> formatIds, CancellationToken ct) =>
        db.Formats.IgnoreQueryFilters().Where(f => formatIds.Contains(f.Id)).ToDictionaryAsync(f => f.Id, f => f.ExchangeType, ct);

    private sealed record ActiveWorkflow(Guid Id, string EntityPath, int Version, DateTimeOffset? DebugUntil);

    private sealed record RunDevice(DeviceContext Context, string Path);
}

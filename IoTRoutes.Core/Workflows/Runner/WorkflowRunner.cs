using System.Collections.Concurrent;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Formats;
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
/// Runs the active version of every enabled workflow on what its trigger reads: stored messages (OnMessage) or connection
/// events (OnDeviceConnected, OnDeviceDisconnected), from the moment it was first published, in id order (so in order
/// per device), never past the store's committed watermark. Devices are split into partitions: this node runs those it
/// holds a lease on, each workflow reading from its durable position per partition, moved with the node state once a
/// batch has run, only while the leases still hold. A restart resumes there, so nothing stored is skipped and an event is
/// run twice only when a crash comes between a run and its batch's commit (at least once; effects carry a stable key).
/// The PUBACK never waits for it. Failed runs are recorded, and every run while debug mode is on.
/// </summary>
public sealed class WorkflowRunner(
    IDbContextFactory<AppDbContext> contexts, MessageIntake intake, ConnectionEventIds connectionEvents, PartitionLeases leases,
    WorkflowCompiler compiler, DurableNodeState state, IServiceProvider services, TimeProvider clock, ILogger<WorkflowRunner> logger) : BackgroundService
{
    /// <summary>Events read and run per batch: a batch's reads and its commit are shared by all of them.</summary>
    public const int BatchSize = 10_000;
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(200);

    /// <summary>After a round that read a few events, the next waits this long, so that it finds more than one.</summary>
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// A round that read at least this many events means a busy node: the next starts <see cref="BusyRoundEvery"/> after it
    /// started. A round's fixed costs (leases, positions, devices, the commit and SQLite's write lock, which the intake
    /// then waits for) are shared by a quarter second of events rather than paid ten times a second (docs/benchmarks.md).
    /// </summary>
    private const int BusyRound = 500;
    private static readonly TimeSpan BusyRoundEvery = TimeSpan.FromMilliseconds(250);

    /// <summary>How long the runner waits after a round that read <paramref name="read"/> events and took <paramref name="took"/>.</summary>
    internal static TimeSpan NextRoundIn(int read, TimeSpan took) => read switch
    {
        0 => Pause,
        >= BatchSize => TimeSpan.Zero, // a backlog: on at once
        >= BusyRound => took < BusyRoundEvery ? BusyRoundEvery - took : TimeSpan.Zero,
        _ => Gather,
    };

    private readonly ConcurrentDictionary<(Guid Workflow, int Version), CompiledWorkflow?> _compiled = new();
    private readonly StoredMessages _messages = new(intake);
    private readonly StoredConnectionEvents _connections = new(connectionEvents);
    private IReadOnlySet<int> _lastHeld = new HashSet<int>();
    private bool _refusalLogged;
    private bool? _onSqlServer;

    private async Task<bool> OnSqlServerAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return db.Database.IsSqlServer();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var ran = 0;
            var started = clock.GetTimestamp();
            try
            {
                ran = await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Running workflows failed; the next round starts from the same positions");
            }

            if (NextRoundIn(ran, clock.GetElapsedTime(started)) is { } wait && wait > TimeSpan.Zero) await Task.Delay(wait, clock, stoppingToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await leases.ReleaseAsync(cancellationToken);
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or OperationCanceledException)
        {
            logger.LogInformation("Workflow partitions not given back at stop ({Error}); they expire in {Seconds} s", e.Message, PartitionLeases.Duration.TotalSeconds);
        }
    }

    /// <summary>One round: a batch for each active workflow, in the partitions this node holds; how many events were read.</summary>
    internal async Task<int> RunOnceAsync(CancellationToken ct)
    {
        if (_onSqlServer ??= await OnSqlServerAsync(ct))
        {
            // SQL Server orders uniqueidentifier by its last bytes first: "ids after the position" would not be "stored
            // after", and events would be skipped. Said once, rather than run wrongly.
            if (!_refusalLogged) logger.LogError("Workflows do not run on SQL Server yet: its order of ids is not their time order");
            _refusalLogged = true;
            return 0;
        }

        var held = await leases.RefreshAsync(ct);
        var gained = held.Except(_lastHeld).ToHashSet();
        if (gained.Count > 0 && _lastHeld.Count > 0)
        {
            // Another node may have run these devices meanwhile: their cached state is stale.
            state.ForgetDevices(device => gained.Contains(WorkflowPartitions.Of(device)));
        }

        _lastHeld = held;
        if (held.Count == 0)
        {
            await KeepCommittedMessagesAsync(0, null, ct);
            return 0;
        }

        List<ActiveWorkflow> active;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            active = await db.Workflows.IgnoreQueryFilters().Where(w => w.Enabled && w.ActiveVersion != null)
                .Select(w => new ActiveWorkflow(w.Id, w.Entity!.Path, w.ActiveVersion!.Value, w.DebugUntil)).ToListAsync(ct);
        }

        var ran = 0;
        var messageWorkflows = 0;
        Guid? slowest = null; // the lowest position of the OnMessage workflows this round
        var positionsKnown = true;
        foreach (var workflow in active)
        {
            try
            {
                // Planned and manual jobs are the job runner's.
                if (await CompiledAsync(workflow, ct) is { Trigger: TriggerRunner trigger and not JobTriggerRunner } compiled)
                {
                    var (read, after) = await RunBatchAsync(workflow, compiled, trigger, held, ct);
                    ran += read;
                    if (trigger.Kind == TriggerKind.Message)
                    {
                        messageWorkflows++;
                        if (after is not { } position) positionsKnown = false;
                        else if (slowest is null || position < slowest) slowest = position;
                    }
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // One workflow's trouble (its batch could not be read or committed) does not hold the others up.
                logger.LogWarning(e, "Workflow {WorkflowId}: its batch failed; the next round tries again from the same position", workflow.Id);
                positionsKnown = false;
            }
        }

        await KeepCommittedMessagesAsync(messageWorkflows, positionsKnown ? slowest : null, ct);
        return ran;
    }

    /// <summary>How many events a lag count stops at: counting a large backlog exactly would cost a scan.</summary>
    public const int MaxWaiting = 10_000;

    /// <summary>
    /// What the runner knows of a workflow's active version: the events stored and not yet run (from its slowest partition,
    /// at most <see cref="MaxWaiting"/>), and its nodes' counters since this process loaded it. Null when nothing is published.
    /// </summary>
    public async Task<Definitions.WorkflowRuntimeDto?> RuntimeAsync(AppDbContext db, Guid workflowId, int? activeVersion, CancellationToken ct)
    {
        if (activeVersion is not { } version) return null;
        var positions = await db.WorkflowPositions.AsNoTracking().Where(p => p.WorkflowId == workflowId).Select(p => p.LastMessageId).ToListAsync(ct);
        var compiled = _compiled.GetValueOrDefault((workflowId, version));
        var waiting = 0;
        if (positions.Count > 0 && compiled?.Trigger is TriggerRunner trigger and not JobTriggerRunner)
        {
            var source = SourceOf(trigger);
            waiting = await source.CountAsync(db, positions.Min(), source.Watermark(clock.GetUtcNow()), MaxWaiting, ct);
        }

        return new Definitions.WorkflowRuntimeDto(waiting, compiled?.Counters() ?? []);
    }

    /// <summary>
    /// Committed messages are kept in memory for the OnMessage workflows while this node is the only one (its intake then
    /// stores every message), and forgotten once every one of them has passed them.
    /// </summary>
    private async Task KeepCommittedMessagesAsync(int messageWorkflows, Guid? slowest, CancellationToken ct)
    {
        // Asked every round, not only at the leases' look every 2 s: another node's messages are not in this memory.
        if (messageWorkflows == 0 || !leases.Alone || await leases.OthersAliveAsync(ct))
        {
            _messages.FromMemory = false;
            intake.Committed.SwitchOff();
            return;
        }

        intake.Committed.SwitchOn(() => intake.NewIdAboveAll(clock.GetUtcNow()));
        _messages.FromMemory = true;
        if (slowest is { } passed) intake.Committed.Forget(passed);
    }

    private IStoredEvents SourceOf(TriggerRunner trigger) => trigger.Kind == TriggerKind.Message ? _messages : _connections;

    private Task<CompiledWorkflow?> CompiledAsync(ActiveWorkflow workflow, CancellationToken ct) => CompiledAsync(workflow.Id, workflow.Version, ct);

    /// <summary>A published version, compiled once per process (planned and manual runs share it, and its counters).</summary>
    internal async Task<CompiledWorkflow?> CompiledAsync(Guid workflowId, int version, CancellationToken ct)
    {
        if (_compiled.TryGetValue((workflowId, version), out var known)) return known;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var definition = await db.WorkflowVersions.Where(v => v.WorkflowId == workflowId && v.Version == version).Select(v => v.Definition).SingleAsync(ct);
        var (compiled, problems) = compiler.Compile(WorkflowGraph.Parse(definition));
        if (compiled is null)
        {
            logger.LogWarning("Workflow {WorkflowId} v{Version} no longer compiles ({Problem}); it does not run", workflowId, version, problems.FirstOrDefault()?.Message);
        }

        return _compiled[(workflowId, version)] = compiled;
    }

    /// <summary>Runs one batch; how many events it read, and the lowest position it left (null when it has none yet).</summary>
    private async Task<(int Read, Guid? After)> RunBatchAsync(ActiveWorkflow workflow, CompiledWorkflow compiled, TriggerRunner trigger, IReadOnlySet<int> held, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var positions = await PartitionPositions.LoadAsync(db, workflow.Id, clock.GetUtcNow(), ct);
        if (positions is null) return (0, null); // another node made them at the same moment: next round

        var source = SourceOf(trigger);
        var after = held.Min(p => positions[p].LastMessageId);
        var batch = await source.ReadAsync(db, after, source.Watermark(clock.GetUtcNow()), BatchSize, ct);
        if (batch.Count == 0) return (0, after);

        // Per partition, the position its events must be past; none for a partition this node does not hold.
        var past = new Guid?[WorkflowPartitions.Count];
        foreach (var partition in held) past[partition] = positions[partition].LastMessageId;
        var mine = new List<StoredEvent>(batch.Count);
        foreach (var e in batch)
        {
            if (e.Runnable && past[WorkflowPartitions.Of(e.DeviceId)] is { } position && e.Id > position) mine.Add(e);
        }

        await RunEventsAsync(db, workflow, compiled, trigger, mine, ct);

        foreach (var partition in held)
        {
            var position = positions[partition];
            if (position.LastMessageId < batch[^1].Id) (position.LastMessageId, position.UpdatedAt) = (batch[^1].Id, clock.GetUtcNow());
        }

        // Positions and node state in one transaction, under leases that still hold.
        var staged = await state.StageAsync(db, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (!await leases.ConfirmAsync(db, held, ct))
        {
            logger.LogWarning("Workflow {WorkflowId}: a partition's lease was lost while its batch ran; its position stays and the new holder runs it again", workflow.Id);
            return (0, null);
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        staged.Committed();
        return (batch.Count, held.Min(p => positions[p].LastMessageId));
    }

    private async Task RunEventsAsync(AppDbContext db, ActiveWorkflow workflow, CompiledWorkflow compiled, TriggerRunner trigger, List<StoredEvent> events, CancellationToken ct)
    {
        if (events.Count == 0) return;
        var debug = workflow.DebugUntil > clock.GetUtcNow();
        var effects = new PerformingEffects(services);
        // Whether the trigger takes an event depends on its device, kind and exchange only: asked once per batch for each.
        var matches = new Dictionary<(Guid Device, TriggerKind Kind, ExchangeType? Exchange), bool>();
        foreach (var e in events)
        {
            if (e.Device is not { } device) continue;
            if (!matches.TryGetValue((e.DeviceId, e.Kind, e.Exchange), out var matched))
            {
                // Only devices in the workflow's own part of the entity tree, whatever its trigger names.
                matched = matches[(e.DeviceId, e.Kind, e.Exchange)] = device.Path.StartsWith(workflow.EntityPath, StringComparison.Ordinal)
                    && trigger.Matches(new TriggerEvent(e.Kind, device.Context.Id, device.Context.EntityId, device.Context.ProfileId, e.Exchange), device.Within);
            }

            if (!matched) continue;

            var started = clock.GetUtcNow();
            var run = new RunContext(null, workflow.Id, workflow.Version, effects, state, clock, ct) { Trace = debug, SourceId = e.Id };
            var outcome = await WorkflowExecutor.RunAsync(compiled, e.MakeItem(), run);
            // Stopping: the batch is not committed, so these events run again after the restart rather than count as failed.
            ct.ThrowIfCancellationRequested();
            if (!outcome.Succeeded || debug)
            {
                db.WorkflowRuns.Add(RunRecords.From(run, outcome, e, started, clock.GetUtcNow()));
            }
        }
    }

    private sealed record ActiveWorkflow(Guid Id, string EntityPath, int Version, DateTimeOffset? DebugUntil);
}

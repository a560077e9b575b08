using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Runner;
using IoTRoutes.Core.Workflows.Triggers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Jobs;

/// <summary>
/// Runs the queued planned and manual runs (<c>WorkflowRuns</c> with status Queued): each is claimed in one statement
/// (Queued → Running, with this node as owner), so with several IoTRoutes nodes on one database each run runs once. A
/// failed run is queued again per the trigger's retry policy; Cancel is cooperative (the run's token, within a second or
/// two); a run whose node went away is marked Failed and retried like any failure.
/// </summary>
public sealed class JobRunner(
    IDbContextFactory<AppDbContext> contexts, WorkflowRunner workflows, PartitionLeases nodes, IServiceProvider services, TimeProvider clock,
    ILogger<JobRunner> logger) : BackgroundService
{
    /// <summary>Runs of planned and manual jobs at once on this node.</summary>
    public const int Parallel = 2;

    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _running = new();
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Raised with the workflow's id when one of its runs is queued, starts or ends (for live pages).</summary>
    public event Action<Guid>? RunsChanged;

    /// <summary>Looks at the queue now rather than at the next poll (a run was just queued).</summary>
    public void Wake() => _wake.Release();

    internal void Changed(Guid workflowId) => RunsChanged?.Invoke(workflowId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new List<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ObserveCancelRequestsAsync(stoppingToken);
                await RecoverInterruptedAsync(stoppingToken);
                running.RemoveAll(t => t.IsCompleted);
                while (running.Count < Parallel && await ClaimAsync(stoppingToken) is { } run)
                {
                    running.Add(Task.Run(() => RunAsync(run, stoppingToken), CancellationToken.None));
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Looking at the job queue failed; trying again");
            }

            try
            {
                await _wake.WaitAsync(Poll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        foreach (var cts in _running.Values) await cts.CancelAsync();
        await Task.WhenAll(running);
    }

    /// <summary>The oldest due queued run, now Running on this node; null when none.</summary>
    internal async Task<WorkflowRunRecord?> ClaimAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var candidates = await db.WorkflowRuns.AsNoTracking()
            .Where(r => r.Status == JobRunStatus.Queued && (r.NotBefore == null || r.NotBefore <= now))
            .OrderBy(r => r.QueuedAt).Take(5).Select(r => r.Id).ToListAsync(ct);
        foreach (var id in candidates)
        {
            var claimed = await db.WorkflowRuns.Where(r => r.Id == id && r.Status == JobRunStatus.Queued)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, JobRunStatus.Running).SetProperty(r => r.Owner, nodes.Owner)
                    .SetProperty(r => r.StartedAt, now), ct);
            if (claimed == 1) return await db.WorkflowRuns.AsNoTracking().SingleAsync(r => r.Id == id, ct);
        }

        return null;
    }

    /// <summary>Runs a claimed run to its end and records it; queues its retry when it failed and may be tried again.</summary>
    internal async Task RunAsync(WorkflowRunRecord run, CancellationToken stopping)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _running[run.Id] = cancel;
        Changed(run.WorkflowId);
        var started = clock.GetUtcNow();
        RunOutcome? outcome = null;
        string? error = null;
        JobTriggerRunner? trigger = null;
        try
        {
            var compiled = await workflows.CompiledAsync(run.WorkflowId, run.Version, cancel.Token);
            trigger = compiled?.Trigger as JobTriggerRunner;
            if (compiled is null) error = $"Version {run.Version} of the workflow no longer compiles.";
            else
            {
                var fields = run.Parameters is { } json ? JsonNode.Parse(json) as JsonObject ?? [] : [];
                // An OnAlert run is about the alert's device: device.name, its attributes, and actions on a device work.
                var device = run.DeviceId is { } deviceId ? await DeviceAsync(deviceId, cancel.Token) : null;
                var item = WorkflowItem.FromJson(fields, device, trigger: run.Trigger?.ToLowerInvariant());
                var context = new RunContext(run.Id, run.WorkflowId, run.Version, new PerformingEffects(services), new MemoryNodeState(), clock, cancel.Token)
                {
                    Trace = true, SourceId = run.Id,
                };
                outcome = await WorkflowExecutor.RunAsync(compiled, item, context);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogError(e, "Job run {RunId} of workflow {WorkflowId} failed outside its nodes", run.Id, run.WorkflowId);
            error = e.Message;
        }
        finally
        {
            _running.TryRemove(run.Id, out _);
        }

        var status = cancel.IsCancellationRequested ? JobRunStatus.Cancelled
            : outcome is { Succeeded: true } ? JobRunStatus.Succeeded : JobRunStatus.Failed;
        if (stopping.IsCancellationRequested && status == JobRunStatus.Cancelled)
        {
            error = "IoTRoutes stopped during the run.";
            status = JobRunStatus.Failed;
        }

        if (status == JobRunStatus.Cancelled)
        {
            // The node that was at work when it stopped is where, not what failed.
            error = outcome?.Failure is { } stoppedIn ? $"Cancelled while in {stoppedIn.NodeId}." : "Cancelled.";
            outcome = outcome is null ? null : outcome with { Failure = null };
        }

        await FinishAsync(run, status, outcome, error, started, trigger?.Retry);
    }

    private async Task<DeviceContext?> DeviceAsync(Guid id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return (await RunDevices.LoadAsync(db, [id], ct)).GetValueOrDefault(id)?.Context;
    }

    private async Task FinishAsync(WorkflowRunRecord run, JobRunStatus status, RunOutcome? outcome, string? error, DateTimeOffset started, RetryPolicy? retry)
    {
        var ended = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
        await db.WorkflowRuns.Where(r => r.Id == run.Id && r.Status == JobRunStatus.Running && r.Owner == nodes.Owner).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, status).SetProperty(r => r.Succeeded, status == JobRunStatus.Succeeded).SetProperty(r => r.EndedAt, ended)
            .SetProperty(r => r.ElapsedMilliseconds, (ended - started).TotalMilliseconds)
            .SetProperty(r => r.FailedNode, outcome?.Failure?.NodeId)
            .SetProperty(r => r.Error, outcome is not null && RunRecords.ErrorOf(outcome) is { } nodeError ? nodeError : error)
            .SetProperty(r => r.Trace, outcome is null ? null : RunRecords.TraceOf(outcome)), CancellationToken.None);
        if (status == JobRunStatus.Failed && retry is { } policy && run.Attempt < policy.Attempts)
        {
            db.WorkflowRuns.Add(Retry(run, ended + policy.DelayBefore(run.Attempt + 1)));
            await db.SaveChangesAsync(CancellationToken.None);
        }

        Changed(run.WorkflowId);
    }

    private static WorkflowRunRecord Retry(WorkflowRunRecord failed, DateTimeOffset notBefore) => new()
    {
        Id = Guid.CreateVersion7(notBefore), WorkflowId = failed.WorkflowId, Version = failed.Version, Trigger = failed.Trigger,
        Status = JobRunStatus.Queued, Parameters = failed.Parameters, ScheduledFor = failed.ScheduledFor, QueuedAt = notBefore,
        NotBefore = notBefore, StartedAt = notBefore, Attempt = failed.Attempt + 1, RequestedBy = "retry",
    };

    /// <summary>Cancels this node's runs whose cancellation was asked for (on this node or another).</summary>
    private async Task ObserveCancelRequestsAsync(CancellationToken ct)
    {
        if (_running.IsEmpty) return;
        var ids = _running.Keys.ToList();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var asked = await db.WorkflowRuns.AsNoTracking().Where(r => ids.Contains(r.Id) && r.CancelRequested).Select(r => r.Id).ToListAsync(ct);
        foreach (var id in asked)
        {
            if (_running.TryGetValue(id, out var cts)) await cts.CancelAsync();
        }
    }

    /// <summary>Runs left Running by a node that is gone (stopped hard): failed, and retried per their trigger.</summary>
    private async Task RecoverInterruptedAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var alive = db.WorkflowRunnerNodes.Where(n => n.SeenAt > now - PartitionLeases.Duration).Select(n => n.Owner);
        var orphans = await db.WorkflowRuns.AsNoTracking()
            .Where(r => r.Status == JobRunStatus.Running && r.Owner != nodes.Owner && !alive.Contains(r.Owner!)).OrderBy(r => r.Id).Take(20).ToListAsync(ct);
        foreach (var run in orphans)
        {
            var taken = await db.WorkflowRuns.Where(r => r.Id == run.Id && r.Status == JobRunStatus.Running && r.Owner == run.Owner)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Owner, nodes.Owner), ct);
            if (taken == 0) continue;
            var trigger = (await workflows.CompiledAsync(run.WorkflowId, run.Version, ct))?.Trigger as JobTriggerRunner;
            await FinishAsync(run, JobRunStatus.Failed, null, "Interrupted: the IoTRoutes node running it stopped.", run.StartedAt, trigger?.Retry);
        }
    }
}

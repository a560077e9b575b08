using System.Text.Json.Nodes;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Runner;
using IoTRoutes.Core.Workflows.Triggers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Jobs;

/// <summary>
/// Queues the runs of Schedule jobs when they are due. Woken every second (Coravel), it follows the published, enabled
/// workflows with a Schedule trigger (<see cref="JobSchedule"/> rows appear, move on and go as they are published,
/// disabled or deleted: no restart), claims each due occurrence by moving its row on in one statement (several nodes:
/// one wins), and queues a run, or records a Skipped one while the job's previous run is still queued or running.
/// Occurrences missed while IoTRoutes was down become one run (RunOnce) or one Skipped record (Skip).
/// </summary>
public sealed class ScheduleDispatcher(IDbContextFactory<AppDbContext> contexts, WorkflowRunner workflows, JobRunner runner, TimeProvider clock, ILogger<ScheduleDispatcher> logger)
{
    /// <summary>An occurrence found later than this after its time was missed (IoTRoutes was down), not merely late.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _one = new(1, 1);

    public async Task DispatchAsync(CancellationToken ct)
    {
        if (!await _one.WaitAsync(0, ct)) return; // the previous tick is still at work
        try
        {
            await FollowSchedulesAsync(ct);
            await QueueDueAsync(ct);
        }
        finally
        {
            _one.Release();
        }
    }

    /// <summary>Rows for the active Schedule jobs, at their version; none for the others.</summary>
    private async Task FollowSchedulesAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var active = await db.Workflows.IgnoreQueryFilters().Where(w => w.Enabled && w.ActiveVersion != null)
            .Select(w => new { w.Id, Version = w.ActiveVersion!.Value }).ToListAsync(ct);
        var rows = await db.JobSchedules.ToDictionaryAsync(s => s.WorkflowId, ct);
        var scheduled = new HashSet<Guid>();
        foreach (var workflow in active)
        {
            if ((await workflows.CompiledAsync(workflow.Id, workflow.Version, ct))?.Trigger is not ScheduleTrigger.Runner trigger) continue;
            scheduled.Add(workflow.Id);
            if (rows.TryGetValue(workflow.Id, out var row) && row.Version == workflow.Version) continue;
            if (row is null) db.JobSchedules.Add(new JobSchedule { WorkflowId = workflow.Id, Version = workflow.Version, NextAt = trigger.Schedule.NextAfter(now) });
            else (row.Version, row.NextAt) = (workflow.Version, trigger.Schedule.NextAfter(now));
        }

        db.JobSchedules.RemoveRange(rows.Values.Where(r => !scheduled.Contains(r.WorkflowId)));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another node followed the same change at the same moment; the next tick sees its rows.
        }
    }

    private async Task QueueDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var due = await db.JobSchedules.AsNoTracking().Where(s => s.NextAt != null && s.NextAt <= now).ToListAsync(ct);
        foreach (var row in due)
        {
            if ((await workflows.CompiledAsync(row.WorkflowId, row.Version, ct))?.Trigger is not ScheduleTrigger.Runner trigger) continue;
            var occurrence = row.NextAt!.Value;
            var missed = now - occurrence > Tolerance;
            // The latest occurrence not after now: several missed ones make one run (or one Skipped record).
            var latest = occurrence;
            var count = 1;
            while (trigger.Schedule.NextAfter(latest) is { } following && following <= now && count < 100_000)
            {
                latest = following;
                count++;
            }

            var next = trigger.Schedule.NextAfter(now);
            var claimed = await db.JobSchedules.Where(s => s.WorkflowId == row.WorkflowId && s.Version == row.Version && s.NextAt == occurrence)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.NextAt, next).SetProperty(x => x.LastAt, latest), ct);
            if (claimed == 0) continue; // another node has it

            var busy = await db.WorkflowRuns.AnyAsync(r => r.WorkflowId == row.WorkflowId && (r.Status == JobRunStatus.Queued || r.Status == JobRunStatus.Running), ct);
            var why = missed && trigger.Missed == MissedOccurrences.Skip
                ? $"Missed while IoTRoutes was down ({count} occurrence{(count == 1 ? "" : "s")} from {occurrence:u}); the job skips missed runs."
                : busy ? "The previous run was still going." : null;
            db.WorkflowRuns.Add(JobQueue.Planned(row.WorkflowId, row.Version, latest, now, why, missed ? count : 1));
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            logger.LogInformation("Schedule of workflow {WorkflowId}: occurrence {Occurrence} {What}", row.WorkflowId, latest, why is null ? "queued" : "skipped");
            runner.Changed(row.WorkflowId);
            if (why is null) runner.Wake();
        }
    }
}

/// <summary>Run records as the queue holds them: queued, or skipped with the reason.</summary>
public static class JobQueue
{
    public static WorkflowRunRecord Planned(Guid workflowId, int version, DateTimeOffset occurrence, DateTimeOffset now, string? skippedBecause, int occurrences) => new()
    {
        Id = Guid.CreateVersion7(now), WorkflowId = workflowId, Version = version, Trigger = "Schedule",
        Status = skippedBecause is null ? JobRunStatus.Queued : JobRunStatus.Skipped, Error = skippedBecause,
        Parameters = new JsonObject
        {
            ["scheduledFor"] = occurrence.ToString("O"), ["occurrences"] = occurrences,
        }.ToJsonString(),
        ScheduledFor = occurrence, QueuedAt = now, StartedAt = now, EndedAt = skippedBecause is null ? null : now, RequestedBy = "schedule",
    };

    public static WorkflowRunRecord Manual(Guid workflowId, int version, JsonObject parameters, DateTimeOffset now, string requestedBy) => new()
    {
        Id = Guid.CreateVersion7(now), WorkflowId = workflowId, Version = version, Trigger = "Manual", Status = JobRunStatus.Queued,
        Parameters = parameters.ToJsonString(), QueuedAt = now, StartedAt = now, RequestedBy = requestedBy,
    };
}

using System.Text.Json.Nodes;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Audit;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Runner;
using IoTRoutes.Core.Workflows.Triggers;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Jobs;

/// <summary>A parameter a manual run asks for.</summary>
public sealed record JobParameterDto(string Name, JobParameterType Type, JsonNode? Default, bool Required);

/// <summary>
/// A job: a published workflow and its trigger. <paramref name="Schedule"/> describes a Schedule's times in words;
/// <paramref name="NextRuns"/> are its next occurrences; <paramref name="CanRunNow"/> is false for the immediate ones (they
/// run on messages and device events).
/// </summary>
public sealed record JobDto(
    Guid Id, string Name, Guid EntityId, string Trigger, string Summary, bool Enabled, int Version, string? Schedule, IReadOnlyList<DateTimeOffset> NextRuns,
    IReadOnlyList<JobParameterDto> Parameters, bool CanRunNow, JobRunDto? LastRun, int Retries);

/// <summary>One run of a job, as the history lists it.</summary>
public sealed record JobRunDto(
    Guid Id, Guid WorkflowId, int Version, string Trigger, JobRunStatus Status, DateTimeOffset? QueuedAt, DateTimeOffset StartedAt, DateTimeOffset? EndedAt,
    double? ElapsedMilliseconds, JsonObject? Parameters, DateTimeOffset? ScheduledFor, int Attempt, string? RequestedBy, string? FailedNode, string? Error,
    bool CancelRequested, Guid? MessageId, Guid? DeviceId);

/// <summary>What the history can be filtered by.</summary>
public sealed record JobRunFilter(JobRunStatus? Status = null, string? Trigger = null, DateTimeOffset? From = null, DateTimeOffset? To = null, int Limit = 100);

/// <summary>
/// Jobs as users see them (Jobs View within their part of the entity tree): the list, a job's runs, Run now (Jobs.RunNow,
/// parameters checked against the trigger's), Cancel (Jobs.RunNow too: who may start a run may stop one).
/// </summary>
public sealed class JobService(ScopedContexts contexts, WorkflowRunner workflows, JobRunner runner, TimeProvider clock, AuditTrail audit)
{
    public const int MaxLimit = 500;
    private const int NextRunsShown = 5;

    public async Task<IReadOnlyList<JobDto>> ListAsync(CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Jobs), ct);
        await using var _db = db;
        var published = await db.Workflows.AsNoTracking().Where(w => w.ActiveVersion != null).OrderBy(w => w.Name).ToListAsync(ct);
        var ids = published.Select(w => w.Id).ToList();
        var schedules = await db.JobSchedules.AsNoTracking().Where(s => ids.Contains(s.WorkflowId)).ToDictionaryAsync(s => s.WorkflowId, ct);
        var last = await LatestRunsAsync(db, ids, ct);
        var jobs = new List<JobDto>(published.Count);
        foreach (var w in published)
        {
            jobs.Add(await ToDtoAsync(w, schedules.GetValueOrDefault(w.Id), last.GetValueOrDefault(w.Id), ct));
        }

        return jobs;
    }

    public async Task<JobDto?> FindAsync(Guid id, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Jobs), ct);
        await using var _db = db;
        if (await db.Workflows.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id && w.ActiveVersion != null, ct) is not { } workflow) return null;
        var schedule = await db.JobSchedules.AsNoTracking().SingleOrDefaultAsync(s => s.WorkflowId == id, ct);
        return await ToDtoAsync(workflow, schedule, (await LatestRunsAsync(db, [id], ct)).GetValueOrDefault(id), ct);
    }

    /// <summary>A job's runs, newest first, filtered; null when there is no such job for the caller.</summary>
    public async Task<IReadOnlyList<JobRunDto>?> RunsAsync(Guid id, JobRunFilter filter, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Jobs), ct);
        await using var _db = db;
        if (!await db.Workflows.AnyAsync(w => w.Id == id, ct)) return null;
        var runs = db.WorkflowRuns.AsNoTracking().Where(r => r.WorkflowId == id);
        if (filter.Status is { } status)
        {
            runs = status switch
            {
                // Runs recorded before jobs have no status: their Succeeded says.
                JobRunStatus.Succeeded => runs.Where(r => r.Status == status || (r.Status == null && r.Succeeded)),
                JobRunStatus.Failed => runs.Where(r => r.Status == status || (r.Status == null && !r.Succeeded)),
                _ => runs.Where(r => r.Status == status),
            };
        }

        if (filter.Trigger is { Length: > 0 } trigger) runs = runs.Where(r => r.Trigger == trigger);
        if (filter.From is { } from) runs = runs.Where(r => r.StartedAt >= from);
        if (filter.To is { } to) runs = runs.Where(r => r.StartedAt < to);
        var list = await runs.OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id).Take(Math.Clamp(filter.Limit, 1, MaxLimit)).ToListAsync(ct);
        return list.ConvertAll(ToDto);
    }

    public async Task<JobRunDto?> FindRunAsync(Guid runId, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Jobs), ct);
        await using var _db = db;
        var run = await db.WorkflowRuns.AsNoTracking().Where(r => r.Id == runId && db.Workflows.Any(w => w.Id == r.WorkflowId)).SingleOrDefaultAsync(ct);
        return run is null ? null : ToDto(run);
    }

    /// <summary>
    /// Queues a run of the job's active version now: a Manual job's with its parameters (checked, defaults filled), a
    /// Schedule job's outside its times (no parameters). Done with the run's id; Invalid with errors by field
    /// (<c>parameters.&lt;name&gt;</c>); Conflict for a job that is disabled or runs on events.
    /// </summary>
    public async Task<ChangeResult> RunNowAsync(Guid id, JsonObject? parameters, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Of(SecuredActions.JobsRunNow), ct);
        await using var _db = db;
        if (await db.Workflows.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id && w.ActiveVersion != null, ct) is not { } workflow) return ChangeResult.NotFound;
        if (!workflow.Enabled) return ChangeResult.Conflict("id", "The job is disabled: enable it to run it.");
        var version = workflow.ActiveVersion!.Value;
        var fields = new JsonObject();
        switch ((await workflows.CompiledAsync(id, version, ct))?.Trigger)
        {
            case ManualTrigger.Runner manual:
                var (checkedFields, errors) = manual.Parameters.Check(parameters);
                if (checkedFields is null) return new ChangeResult(ChangeOutcome.Invalid, Errors: errors);
                fields = checkedFields;
                break;
            case ScheduleTrigger.Runner when parameters is { Count: > 0 }:
                return ChangeResult.Invalid("parameters", "A Schedule job takes no parameters.");
            case ScheduleTrigger.Runner:
                fields["scheduledFor"] = clock.GetUtcNow().ToString("O");
                break;
            case null:
                return ChangeResult.Conflict("id", $"Version {version} of the workflow no longer compiles.");
            default:
                return ChangeResult.Conflict("id", "This workflow runs on messages or device events, not on demand: use a test run to try it.");
        }

        var who = await db.Users.IgnoreQueryFilters().Where(u => u.Id == caller.UserId).Select(u => u.Email).FirstOrDefaultAsync(ct) ?? "api";
        var run = JobQueue.Manual(id, version, fields, clock.GetUtcNow(), who);
        db.WorkflowRuns.Add(run);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditActions.JobRunRequested, caller, workflow.Name, $"run {run.Id} {fields.ToJsonString()}", ct);
        runner.Changed(id);
        runner.Wake();
        return ChangeResult.Done(run.Id);
    }

    /// <summary>
    /// Cancels a queued run at once, and asks a running one to stop (it does within a second or two, between nodes or in a
    /// node that waits). Conflict when it has ended.
    /// </summary>
    public async Task<ChangeResult> CancelAsync(Guid runId, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Of(SecuredActions.JobsRunNow), ct);
        await using var _db = db;
        var run = await db.WorkflowRuns.AsNoTracking().Where(r => r.Id == runId && db.Workflows.Any(w => w.Id == r.WorkflowId))
            .Select(r => new { r.Id, r.WorkflowId, r.Status, Workflow = db.Workflows.Where(w => w.Id == r.WorkflowId).Select(w => w.Name).Single() })
            .SingleOrDefaultAsync(ct);
        if (run is null) return ChangeResult.NotFound;
        var now = clock.GetUtcNow();
        var cancelled = await db.WorkflowRuns.Where(r => r.Id == runId && r.Status == JobRunStatus.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, JobRunStatus.Cancelled).SetProperty(r => r.EndedAt, now).SetProperty(r => r.CancelRequested, true)
                .SetProperty(r => r.Error, "Cancelled before it started."), ct);
        if (cancelled == 0)
        {
            cancelled = await db.WorkflowRuns.Where(r => r.Id == runId && r.Status == JobRunStatus.Running).ExecuteUpdateAsync(s => s.SetProperty(r => r.CancelRequested, true), ct);
        }

        if (cancelled == 0) return ChangeResult.Conflict("id", $"The run has ended ({run.Status?.ToString() ?? "recorded"}): there is nothing to cancel.");
        await audit.RecordAsync(AuditActions.JobRunCancelled, caller, run.Workflow, $"run {runId}, was {run.Status?.ToString() ?? "recorded"}", ct);
        runner.Changed(run.WorkflowId);
        runner.Wake();
        return ChangeResult.Done(runId);
    }

    private async Task<JobDto> ToDtoAsync(Workflows.Definitions.Workflow w, JobSchedule? schedule, WorkflowRunRecord? last, CancellationToken ct)
    {
        var version = w.ActiveVersion!.Value;
        var trigger = (await workflows.CompiledAsync(w.Id, version, ct))?.Trigger;
        var now = clock.GetUtcNow();
        var (type, summary, words, next, parameters, retries) = trigger switch
        {
            ScheduleTrigger.Runner s => ("Schedule", s.Schedule.Description, s.Schedule.Description,
                w.Enabled ? NextRuns(s, schedule?.Version == version ? schedule.NextAt : null, now) : [],
                (IReadOnlyList<JobParameterDto>)[], s.Retry.Attempts - 1),
            ManualTrigger.Runner m => ("Manual", "on demand", null, (IReadOnlyList<DateTimeOffset>)[],
                m.Parameters.Declared.Select(p => new JobParameterDto(p.Name, p.Type, p.Default, p.Required)).ToList(), m.Retry.Attempts - 1),
            OnAlertTrigger.Runner a => ("OnAlert", "on alerts", (string?)null, [], [], a.Retry.Attempts - 1),
            TriggerRunner t => (t.Kind switch { TriggerKind.Message => "OnMessage", var k => $"On{k}" }, "on each event", (string?)null, [], [], 0),
            _ => ("Unknown", "does not compile", null, [], [], 0),
        };
        return new JobDto(w.Id, w.Name, w.EntityId, type, summary, w.Enabled, version, words, next, parameters,
            trigger is ScheduleTrigger.Runner or ManualTrigger.Runner && w.Enabled, last is null ? null : ToDto(last), retries);
    }

    /// <summary>The next runs, in the schedule's zone: from the dispatcher's row when it follows this version, else from now.</summary>
    private static IReadOnlyList<DateTimeOffset> NextRuns(ScheduleTrigger.Runner trigger, DateTimeOffset? followed, DateTimeOffset now)
    {
        IReadOnlyList<DateTimeOffset> times = followed is { } at ? [at, .. trigger.Schedule.Next(at, NextRunsShown - 1)] : trigger.Schedule.Next(now, NextRunsShown);
        return [.. times.Select(trigger.Schedule.InZone)];
    }

    private static async Task<Dictionary<Guid, WorkflowRunRecord>> LatestRunsAsync(AppDbContext db, List<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        var latest = await db.WorkflowRuns.AsNoTracking().Where(r => ids.Contains(r.WorkflowId))
            .GroupBy(r => r.WorkflowId).Select(g => g.Max(r => r.StartedAt)).ToListAsync(ct);
        if (latest.Count == 0) return [];
        var runs = await db.WorkflowRuns.AsNoTracking().Where(r => ids.Contains(r.WorkflowId) && latest.Contains(r.StartedAt)).ToListAsync(ct);
        return runs.GroupBy(r => r.WorkflowId).ToDictionary(g => g.Key, g => g.OrderByDescending(r => r.Id).First());
    }

    internal static JobRunDto ToDto(WorkflowRunRecord r) => new(
        r.Id, r.WorkflowId, r.Version, r.Trigger ?? (r.MessageId is null ? "OnDeviceEvent" : "OnMessage"),
        r.Status ?? (r.Succeeded ? JobRunStatus.Succeeded : JobRunStatus.Failed), r.QueuedAt, r.StartedAt, r.EndedAt,
        r.Status is JobRunStatus.Queued or JobRunStatus.Running or JobRunStatus.Skipped ? null : r.ElapsedMilliseconds,
        r.Parameters is { } p ? JsonNode.Parse(p) as JsonObject : null, r.ScheduledFor, r.Attempt, r.RequestedBy, r.FailedNode, r.Error,
        r.CancelRequested, r.MessageId, r.DeviceId);
}

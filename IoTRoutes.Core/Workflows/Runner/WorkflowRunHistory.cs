using System.Text.Json.Nodes;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Workflows.Runner;

/// <summary>A recorded run: failed ones always, every one while debug mode was on; <paramref name="DeviceName"/> null once the device is gone.</summary>
public sealed record WorkflowRunDto(
    Guid Id, Guid WorkflowId, int Version, Guid? MessageId, Guid? DeviceId, bool Succeeded, DateTimeOffset StartedAt, double ElapsedMilliseconds,
    string? FailedNode, string? Error, JsonObject? Trace = null, string? DeviceName = null, Jobs.JobRunStatus? Status = null, string? Trigger = null);

/// <summary>The runs the runner recorded, as users read them (Workflows View, within their part of the entity tree).</summary>
public sealed class WorkflowRunHistory(ScopedContexts contexts)
{
    public const int MaxLimit = 500;

    /// <summary>A workflow's recorded runs, newest first; null when there is no such workflow for the caller.</summary>
    public async Task<IReadOnlyList<WorkflowRunDto>?> ListAsync(Guid workflowId, int limit, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(Security.Permissions.SecuredObject.Workflows), ct);
        await using var _db = db;
        if (!await db.Workflows.AnyAsync(w => w.Id == workflowId, ct)) return null;
        var runs = await db.WorkflowRuns.AsNoTracking().Where(r => r.WorkflowId == workflowId)
            .OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id).Take(Math.Clamp(limit, 1, MaxLimit)).ToListAsync(ct);
        var names = await DeviceNamesAsync(db, runs, ct);
        return runs.ConvertAll(r => ToDto(r, withTrace: false, names));
    }

    /// <summary>One run with its trace (path, failing input, steps when traced); null when not the caller's to see.</summary>
    public async Task<WorkflowRunDto?> FindAsync(Guid runId, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(Security.Permissions.SecuredObject.Workflows), ct);
        await using var _db = db;
        var run = await db.WorkflowRuns.AsNoTracking().Where(r => r.Id == runId && db.Workflows.Any(w => w.Id == r.WorkflowId)).SingleOrDefaultAsync(ct);
        return run is null ? null : ToDto(run, withTrace: true, await DeviceNamesAsync(db, [run], ct));
    }

    private static async Task<Dictionary<Guid, string>> DeviceNamesAsync(AppDbContext db, List<WorkflowRunRecord> runs, CancellationToken ct)
    {
        var ids = runs.Where(r => r.DeviceId is not null).Select(r => r.DeviceId!.Value).Distinct().ToList();
        return ids.Count == 0 ? [] : await db.Devices.AsNoTracking().Where(d => ids.Contains(d.Id)).Select(d => new { d.Id, d.Name }).ToDictionaryAsync(d => d.Id, d => d.Name, ct);
    }

    private static WorkflowRunDto ToDto(WorkflowRunRecord r, bool withTrace, Dictionary<Guid, string> deviceNames) => new(
        r.Id, r.WorkflowId, r.Version, r.MessageId, r.DeviceId, r.Succeeded, r.StartedAt, r.ElapsedMilliseconds, r.FailedNode, r.Error,
        withTrace && r.Trace is { } trace ? JsonNode.Parse(trace) as JsonObject : null,
        r.DeviceId is { } device ? deviceNames.GetValueOrDefault(device) : null,
        r.Status ?? (r.Succeeded ? Jobs.JobRunStatus.Succeeded : Jobs.JobRunStatus.Failed), r.Trigger);
}

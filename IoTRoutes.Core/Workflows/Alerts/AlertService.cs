using System.Text.Json.Nodes;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Audit;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Workflows.Alerts;

/// <summary>
/// Alerts as users see them, within the caller's part of the entity tree (through their device): list and read them
/// (Alerts View), acknowledge and clear them (Alerts Manage, audited with who and when). Workflows raise and clear
/// through <see cref="AlertRaiser"/>.
/// </summary>
public sealed class AlertService(ScopedContexts contexts, AuditTrail audit, AlertFeed feed, AlertEvents events, TimeProvider clock)
{
    public const int MaxFacets = 200;

    /// <exception cref="ArgumentException">The query is invalid; call <see cref="AlertQuery.Validate"/> first.</exception>
    public async Task<AlertPage> ListAsync(AlertQuery query, CancellationToken ct)
    {
        if (query.Validate() is not null)
        {
            throw new ArgumentException("Invalid alert query; call Validate() first.", nameof(query));
        }

        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Alerts), ct);
        await using var _db = db;
        // One more than asked says whether there is a next page.
        var rows = await Project(query.Apply(db.Alerts.AsNoTracking()).OrderByDescending(a => a.Id).Take(query.Limit + 1)).ToListAsync(ct);
        var page = rows.Take(query.Limit).Select(ToDto).ToList();
        return new AlertPage(page, rows.Count > query.Limit ? page[^1].Id : null);
    }

    /// <summary>Null when there is no such alert for the caller.</summary>
    public async Task<AlertDto?> FindAsync(Guid id, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Alerts), ct);
        await using var _db = db;
        var row = await Project(db.Alerts.AsNoTracking().Where(a => a.Id == id)).SingleOrDefaultAsync(ct);
        return row is null ? null : ToDto(row);
    }

    /// <summary>The devices and types the caller's alerts have, for the page's filters (at most <see cref="MaxFacets"/> each, by name).</summary>
    public async Task<AlertFacets> FacetsAsync(CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Alerts), ct);
        await using var _db = db;
        var devices = await db.Alerts.Select(a => new { a.DeviceId, a.Device!.Name }).Distinct()
            .OrderBy(d => d.Name).Take(MaxFacets).ToListAsync(ct);
        var types = await db.Alerts.Select(a => a.Type).Distinct().OrderBy(t => t).Take(MaxFacets).ToListAsync(ct);
        return new AlertFacets([.. devices.Select(d => new AlertDevice(d.DeviceId, d.Name))], types);
    }

    /// <summary>Active to Acknowledged: someone is on it. An alert already acknowledged or cleared is a conflict.</summary>
    public Task<ChangeResult> AcknowledgeAsync(Guid id, CancellationToken ct) => ChangeStateAsync(id, AlertState.Acknowledged, ct);

    /// <summary>Active or Acknowledged to Cleared: over. The next raise of its type opens a new alert.</summary>
    public Task<ChangeResult> ClearAsync(Guid id, CancellationToken ct) => ChangeStateAsync(id, AlertState.Cleared, ct);

    private async Task<ChangeResult> ChangeStateAsync(Guid id, AlertState to, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Alerts), ct);
        await using var _db = db;
        var alert = await db.Alerts.AsNoTracking().Where(a => a.Id == id)
            .Select(a => new { a.State, a.Type, a.DeviceId, DeviceName = a.Device!.Name, a.Severity, a.Message, a.Count }).SingleOrDefaultAsync(ct);
        if (alert is null)
        {
            return ChangeResult.NotFound;
        }

        AlertState[] from = to == AlertState.Acknowledged ? [AlertState.Active] : [AlertState.Active, AlertState.Acknowledged];
        var now = clock.GetUtcNow();
        var email = caller.UserId is { } userId ? await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleOrDefaultAsync(ct) : null;
        // The state is checked again by the update itself: a workflow may clear the alert meanwhile.
        var changed = to == AlertState.Acknowledged
            ? await db.Alerts.Where(a => a.Id == id && from.Contains(a.State)).ExecuteUpdateAsync(s => s
                .SetProperty(a => a.State, to).SetProperty(a => a.AcknowledgedAt, now)
                .SetProperty(a => a.AcknowledgedByUserId, caller.UserId).SetProperty(a => a.AcknowledgedBy, email), ct)
            : await db.Alerts.Where(a => a.Id == id && from.Contains(a.State)).ExecuteUpdateAsync(s => s
                .SetProperty(a => a.State, to).SetProperty(a => a.ClearedAt, now)
                .SetProperty(a => a.ClearedByUserId, caller.UserId).SetProperty(a => a.ClearedBy, email), ct);
        if (changed == 0)
        {
            var state = await db.Alerts.Where(a => a.Id == id).Select(a => a.State).SingleAsync(ct);
            return ChangeResult.Conflict("state", $"The alert is already {state.ToString().ToLowerInvariant()}.", id);
        }

        await audit.RecordAsync(to == AlertState.Acknowledged ? AuditActions.AlertAcknowledged : AuditActions.AlertCleared, caller,
            $"{alert.Type} on {alert.DeviceName}", $"alert {id}", ct);
        feed.Publish(alert.DeviceId);
        await events.PublishAsync(new AlertEvent(id, alert.DeviceId, alert.Type, alert.Severity,
            to == AlertState.Acknowledged ? AlertEventKind.Acknowledged : AlertEventKind.Cleared, alert.Message, alert.Count, now, email), ct);
        return ChangeResult.Done(id);
    }

    private static IQueryable<AlertRow> Project(IQueryable<Alert> alerts) =>
        alerts.Select(a => new AlertRow(a, a.Device!.Name));

    private static AlertDto ToDto(AlertRow row)
    {
        var a = row.Alert;
        return new AlertDto(a.Id, a.DeviceId, row.DeviceName, a.Type, a.Severity, a.State, a.Message, a.Count,
            a.LastValue is null ? null : JsonNode.Parse(a.LastValue), a.FirstRaisedAt, a.LastRaisedAt, a.AcknowledgedAt, a.AcknowledgedBy,
            a.ClearedAt, a.ClearedAt is null ? null : a.ClearedByUserId is null ? "workflow" : a.ClearedBy, a.WorkflowId, a.NodeId);
    }

    private sealed record AlertRow(Alert Alert, string DeviceName);
}

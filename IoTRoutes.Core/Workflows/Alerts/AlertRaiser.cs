using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Workflows.Alerts;

/// <summary>
/// Raises and clears alerts for workflows (the platform's own work: no user, no scope). One open alert per device and
/// type: a raise updates it, or opens one when there is none. Two raises at once cannot open two: the unique index on
/// the open alerts (<c>IX_Alerts_Open</c>) refuses the second insert, which then updates the first one's alert.
/// A raise for an event the same node already raised this type for (a run repeated after a crash: events of a device run
/// in id order) changes nothing: the count stays true, and a cleared alert is not opened again.
/// </summary>
public sealed class AlertRaiser(IDbContextFactory<AppDbContext> contexts, AlertFeed feed, AlertEvents events, TimeProvider clock)
{
    /// <summary>Each attempt lost a race (an insert refused by the index, an alert cleared under it); more means a bug.</summary>
    private const int MaxAttempts = 5;

    /// <summary>Null when the device no longer exists.</summary>
    public async Task<AlertRaised?> RaiseAsync(AlertRaise raise, CancellationToken ct)
    {
        if (AlertRules.CheckType(raise.Type) is { } problem)
        {
            throw new ArgumentException(problem, nameof(raise));
        }

        var type = raise.Type.Trim();
        var message = TextLimits.Clip(raise.Message, AlertRules.MaxMessageLength) ?? "";
        var value = raise.Value?.ToJsonString() is { Length: <= AlertRules.MaxValueLength } json ? json : null;
        var nodeId = TextLimits.Clip(raise.NodeId, AlertRules.MaxNodeIdLength);
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            var entityId = await db.Devices.Where(d => d.Id == raise.DeviceId).Select(d => (Guid?)d.EntityId).SingleOrDefaultAsync(ct);
            if (entityId is null)
            {
                return null;
            }

            if (raise.EventId is { } eventId && await RaisedAlreadyAsync(db, raise, type, nodeId, eventId, ct) is { } repeated)
            {
                return repeated;
            }

            var now = clock.GetUtcNow();
            var open = await db.Alerts.Where(a => a.DeviceId == raise.DeviceId && a.Type == type && a.State != AlertState.Cleared)
                .Select(a => (Guid?)a.Id).SingleOrDefaultAsync(ct);
            if (open is { } id)
            {
                var updated = await db.Alerts.Where(a => a.Id == id && a.State != AlertState.Cleared).ExecuteUpdateAsync(s => s
                    .SetProperty(a => a.Count, a => a.Count + 1)
                    .SetProperty(a => a.Severity, raise.Severity)
                    .SetProperty(a => a.Message, message)
                    .SetProperty(a => a.LastValue, value)
                    .SetProperty(a => a.LastRaisedAt, now)
                    .SetProperty(a => a.EntityId, entityId.Value)
                    .SetProperty(a => a.WorkflowId, raise.WorkflowId)
                    .SetProperty(a => a.NodeId, nodeId)
                    .SetProperty(a => a.LastEventId, raise.EventId), ct);
                if (updated == 1)
                {
                    var count = await db.Alerts.Where(a => a.Id == id).Select(a => a.Count).SingleAsync(ct);
                    feed.Publish(raise.DeviceId);
                    return new AlertRaised(id, Opened: false, count);
                }

                if (attempt >= MaxAttempts)
                {
                    throw new InvalidOperationException($"The {type} alert of device {raise.DeviceId} kept changing under {MaxAttempts} raises.");
                }

                continue; // cleared between the two statements: the next attempt opens a new one
            }

            var alert = new Alert
            {
                Id = Guid.CreateVersion7(), DeviceId = raise.DeviceId, EntityId = entityId.Value, Type = type, Severity = raise.Severity,
                State = AlertState.Active, Message = message, Count = 1, LastValue = value, FirstRaisedAt = now, LastRaisedAt = now,
                WorkflowId = raise.WorkflowId, NodeId = nodeId, LastEventId = raise.EventId,
            };
            db.Alerts.Add(alert);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException) when (attempt < MaxAttempts)
            {
                continue; // another raise opened it first: the next attempt updates that one
            }

            feed.Publish(raise.DeviceId);
            await events.PublishAsync(new AlertEvent(alert.Id, raise.DeviceId, type, raise.Severity, AlertEventKind.Raised, message, 1, now, null), ct);
            return new AlertRaised(alert.Id, Opened: true, 1);
        }
    }

    /// <summary>The device's latest alert of this type, when this node raised it last for this event or a later one.</summary>
    private static async Task<AlertRaised?> RaisedAlreadyAsync(AppDbContext db, AlertRaise raise, string type, string? nodeId, Guid eventId, CancellationToken ct)
    {
        var latest = await db.Alerts.Where(a => a.DeviceId == raise.DeviceId && a.Type == type)
            .OrderByDescending(a => a.LastRaisedAt).ThenByDescending(a => a.Id)
            .Select(a => new { a.Id, a.WorkflowId, a.NodeId, a.LastEventId, a.Count }).FirstOrDefaultAsync(ct);
        return latest is not null && latest.WorkflowId == raise.WorkflowId && latest.NodeId == nodeId && latest.LastEventId >= eventId
            ? new AlertRaised(latest.Id, Opened: false, latest.Count)
            : null;
    }

    /// <summary>Clears the device's open alert of this type, if there is one; the number cleared (0 or 1).</summary>
    public async Task<int> ClearByTypeAsync(Guid deviceId, string type, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var trimmed = type.Trim();
        var open = await db.Alerts.AsNoTracking().Where(a => a.DeviceId == deviceId && a.Type == trimmed && a.State != AlertState.Cleared)
            .Select(a => new { a.Id, a.Severity, a.Message, a.Count }).FirstOrDefaultAsync(ct);
        if (open is null) return 0;
        var cleared = await db.Alerts.Where(a => a.Id == open.Id && a.State != AlertState.Cleared)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.State, AlertState.Cleared).SetProperty(a => a.ClearedAt, now), ct);
        if (cleared > 0)
        {
            feed.Publish(deviceId);
            await events.PublishAsync(new AlertEvent(open.Id, deviceId, trimmed, open.Severity, AlertEventKind.Cleared, open.Message, open.Count, now, null), ct);
        }

        return cleared;
    }
}

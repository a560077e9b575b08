using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Audit;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>
/// Brokers as administrators see them: definitions within the caller's part of the entity tree, with their live
/// status. Changes are saved, then applied to the running broker at once.
/// </summary>
public sealed class BrokerService(ScopedContexts contexts, BrokerManager manager, AuditTrail audit, TimeProvider clock)
{
    public async Task<IReadOnlyList<BrokerDto>> ListAsync(CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Brokers), ct);
        await using var _db = db;
        var brokers = await db.Brokers.AsNoTracking().OrderBy(b => b.Name).ToListAsync(ct);
        return brokers.ConvertAll(ToDto);
    }

    public async Task<BrokerDto?> FindAsync(Guid id, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Brokers), ct);
        await using var _db = db;
        return await db.Brokers.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id, ct) is { } broker ? ToDto(broker) : null;
    }

    /// <summary>The broker's connected clients, or null when the broker does not exist for the caller.</summary>
    public async Task<IReadOnlyList<BrokerClientDto>?> ListClientsAsync(Guid id, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Brokers), ct);
        await using var _db = db;
        if (!await db.Brokers.AnyAsync(b => b.Id == id, ct))
        {
            return null;
        }

        // Devices of any entity may connect to a broker; the caller sees only which of them are its own.
        var clients = await manager.ClientsOfAsync(id);
        var deviceIds = clients.Where(c => c.DeviceId is not null).Select(c => c.DeviceId!.Value).Distinct().ToList();
        var names = await db.Devices.Where(d => deviceIds.Contains(d.Id)).ToDictionaryAsync(d => d.Id, d => d.Name, ct);
        return [.. clients.Select(c => c.DeviceId is not { } deviceId ? c
            : names.TryGetValue(deviceId, out var name) ? c with { DeviceName = name }
            : c with { DeviceId = null, DeviceKey = "(a device of another entity)", ClientId = "(hidden)" })];
    }

    /// <summary>Creates a broker, disabled: enabling it is a separate step (Brokers.Activate).</summary>
    public async Task<ChangeResult> CreateAsync(BrokerRequest request, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Brokers), ct);
        await using var _db = db;
        var broker = new BrokerDefinition { Id = Guid.CreateVersion7(), Name = "", EntityId = request.EntityId ?? caller.Scope.EntityId, CreatedAt = clock.GetUtcNow() };
        if ((Apply(request, broker) ?? await CheckAsync(db, broker, ct)) is { } problem)
        {
            return problem;
        }

        db.Brokers.Add(broker);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditActions.BrokerCreated, caller, broker.Name, $"port {broker.Port}{(broker.TlsPort is { } t ? $", TLS {t}" : "")}", ct);
        return ChangeResult.Done(broker.Id);
    }

    /// <summary>Saves the new settings; a running broker restarts with them (its clients reconnect).</summary>
    public async Task<ChangeResult> UpdateAsync(Guid id, BrokerRequest request, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Brokers), ct);
        await using var _db = db;
        var broker = await db.Brokers.SingleOrDefaultAsync(b => b.Id == id, ct);
        if (broker is null)
        {
            return ChangeResult.NotFound;
        }

        var before = Settings(broker);
        if ((Apply(request, broker) ?? await CheckAsync(db, broker, ct)) is { } problem)
        {
            return problem;
        }

        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditActions.BrokerUpdated, caller, broker.Name, AuditChanges.Between(before, Settings(broker)), ct);
        if (broker.Enabled && await manager.ApplyAsync(broker.Id) is { } error)
        {
            // Still enabled (changing that takes Brokers.Activate): shown as failed with the reason until fixed.
            return ChangeResult.Conflict("port", $"Saved, but the broker could not restart: {error}", broker.Id);
        }

        return ChangeResult.Done(broker.Id);
    }

    public async Task<ChangeResult> EnableAsync(Guid id, CancellationToken ct) => await SetEnabledAsync(id, true, ct);

    public async Task<ChangeResult> DisableAsync(Guid id, CancellationToken ct) => await SetEnabledAsync(id, false, ct);

    public async Task<ChangeResult> DeleteAsync(Guid id, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Brokers), ct);
        await using var _db = db;
        var broker = await db.Brokers.SingleOrDefaultAsync(b => b.Id == id, ct);
        if (broker is null)
        {
            return ChangeResult.NotFound;
        }

        if (broker.Enabled)
        {
            return ChangeResult.Conflict("enabled", $"Broker {broker.Name} is enabled: disable it before deleting it.", id);
        }

        db.Brokers.Remove(broker);
        await db.SaveChangesAsync(ct);
        await manager.RemoveAsync(id);
        await audit.RecordAsync(AuditActions.BrokerDeleted, caller, broker.Name, null, ct);
        return ChangeResult.Done(id);
    }

    private async Task<ChangeResult> SetEnabledAsync(Guid id, bool enabled, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Of(SecuredActions.BrokersActivate), ct);
        await using var _db = db;
        var broker = await db.Brokers.SingleOrDefaultAsync(b => b.Id == id, ct);
        if (broker is null)
        {
            return ChangeResult.NotFound;
        }

        broker.Enabled = enabled;
        await db.SaveChangesAsync(ct);
        if (await manager.ApplyAsync(id) is { } error)
        {
            // Enabling failed: the broker stays off, and stays off at the next start too.
            broker.Enabled = false;
            await db.SaveChangesAsync(ct);
            manager.GiveUp(id);
            return ChangeResult.Conflict("port", error, id);
        }

        await audit.RecordAsync(enabled ? AuditActions.BrokerEnabled : AuditActions.BrokerDisabled, caller, broker.Name, null, ct);
        return ChangeResult.Done(id);
    }

    /// <summary>The broker's settings as the audit compares them (no live status, nothing secret).</summary>
    private System.Text.Json.Nodes.JsonObject Settings(BrokerDefinition b) =>
        AuditChanges.Snapshot(ToDto(b), nameof(BrokerDto.Id), nameof(BrokerDto.Status), nameof(BrokerDto.CreatedAt), nameof(BrokerDto.Enabled));

    private static ChangeResult? Apply(BrokerRequest r, BrokerDefinition b)
    {
        if (r.Protocols is { } names)
        {
            if (BrokerRules.ParseProtocols(names) is not { } protocols)
            {
                return ChangeResult.Invalid("protocols", "Protocols are \"3.1.1\" and \"5.0\".");
            }

            b.Protocols = protocols;
        }

        b.Name = r.Name is null ? b.Name : DisplayText.Problem(r.Name) is null ? DisplayText.Clean(r.Name) : r.Name; // a bad one is refused by BrokerRules
        b.EntityId = r.EntityId ?? b.EntityId;
        b.Port = r.Port ?? b.Port;
        b.TlsPort = r.RemoveTlsPort ? null : r.TlsPort ?? b.TlsPort;
        b.AllowAnonymous = r.AllowAnonymous ?? b.AllowAnonymous;
        b.PersistentSessions = r.PersistentSessions ?? b.PersistentSessions;
        b.BindAddress = r.BindAddress?.Trim() ?? b.BindAddress;
        b.MaxConnections = r.MaxConnections ?? b.MaxConnections;
        b.MaxPayloadBytes = r.MaxPayloadBytes ?? b.MaxPayloadBytes;
        b.MaxKeepAliveSeconds = r.MaxKeepAliveSeconds ?? b.MaxKeepAliveSeconds;
        b.ReceiveMaximum = r.ReceiveMaximum ?? b.ReceiveMaximum;
        b.SessionExpirySeconds = r.SessionExpirySeconds ?? b.SessionExpirySeconds;
        b.MaxQueuedMessages = r.MaxQueuedMessages ?? b.MaxQueuedMessages;
        b.Authentication = r.Authentication ?? b.Authentication;
        b.DeniedSubscriptions = r.DeniedSubscriptions is { } denied ? string.Join('\n', denied.Select(f => f.Trim()).Where(f => f.Length > 0)) : b.DeniedSubscriptions;
        b.MaxConnectAttemptsPerMinute = r.MaxConnectAttemptsPerMinute ?? b.MaxConnectAttemptsPerMinute;
        b.ConnectTimeoutSeconds = r.ConnectTimeoutSeconds ?? b.ConnectTimeoutSeconds;
        b.MaxPendingConnects = r.MaxPendingConnects ?? b.MaxPendingConnects;
        b.MaxPendingConnectsPerAddress = r.MaxPendingConnectsPerAddress ?? b.MaxPendingConnectsPerAddress;
        b.WebSockets = r.WebSockets ?? b.WebSockets;
        var errors = BrokerRules.Check(b);
        return errors.Count > 0 ? new ChangeResult(ChangeOutcome.Invalid, Errors: errors) : null;
    }

    private static async Task<ChangeResult?> CheckAsync(AppDbContext db, BrokerDefinition b, CancellationToken ct)
    {
        if (!await db.Entities.AnyAsync(e => e.Id == b.EntityId, ct))
        {
            return ChangeResult.Invalid("entityId", $"There is no entity {b.EntityId}.");
        }

        // Names and ports are unique across the platform, including brokers the caller cannot see.
        // Names, ports and the WebSocket endpoint are unique on the platform; a broker the caller cannot see is not named.
        var others = db.Brokers.IgnoreQueryFilters().Where(o => o.Id != b.Id);
        var visible = await db.Brokers.Select(o => o.Id).ToListAsync(ct);
        string Named(BrokerDefinition o) => visible.Contains(o.Id) ? $"Broker {o.Name}" : "Another broker";
        if (await others.AnyAsync(o => o.Name == b.Name, ct))
        {
            return ChangeResult.Invalid("name", $"There is already a broker named {b.Name}.");
        }

        if (b.WebSockets && await others.FirstOrDefaultAsync(o => o.WebSockets, ct) is { } serving)
        {
            return ChangeResult.Invalid("webSockets", $"{Named(serving)} already serves MQTT over WebSocket at /mqtt.");
        }

        var ports = new[] { b.Port, b.TlsPort ?? -1 };
        if (await others.FirstOrDefaultAsync(o => ports.Contains(o.Port) || (o.TlsPort != null && ports.Contains(o.TlsPort.Value)), ct) is { } clash)
        {
            return ChangeResult.Invalid("port", $"{Named(clash)} already uses port {(ports.Contains(clash.Port) ? clash.Port : clash.TlsPort)}.");
        }

        return null;
    }

    private BrokerDto ToDto(BrokerDefinition b) => new(
        b.Id, b.Name, b.EntityId, b.Enabled, b.BindAddress, b.Port, b.TlsPort, BrokerRules.ProtocolNames(b.Protocols), b.MaxConnections,
        b.MaxPayloadBytes, b.MaxKeepAliveSeconds, b.ReceiveMaximum, b.PersistentSessions, b.SessionExpirySeconds, b.MaxQueuedMessages, b.AllowAnonymous,
        b.Authentication, BrokerRules.SplitFilters(b.DeniedSubscriptions), b.MaxConnectAttemptsPerMinute,
        b.ConnectTimeoutSeconds, b.MaxPendingConnects, b.MaxPendingConnectsPerAddress, b.WebSockets, b.CreatedAt, manager.StatusOf(b.Id));
}

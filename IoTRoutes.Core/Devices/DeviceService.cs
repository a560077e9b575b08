using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Security.Permissions;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Devices;

/// <summary>The device registry: list, read, create, delete — always within the caller's part of the entity tree.</summary>
public sealed class DeviceService(
    ScopedContexts contexts,
    TimeProvider clock,
    Security.Audit.AuditTrail audit,
    IDeviceConnections connections,
    Messaging.Pipeline.MessageIntake intake)
{
    public async Task<IReadOnlyList<DeviceDto>> ListAsync(CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Devices), ct);
        await using var _db = db;
        var devices = await db.Devices.AsNoTracking().OrderBy(d => d.Name).ThenBy(d => d.Key).ToListAsync(ct);
        return devices.ConvertAll(ToDto);
    }

    public async Task<DeviceDto?> FindAsync(Guid id, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Devices), ct);
        await using var _db = db;
        var device = await db.Devices.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, ct);
        return device is null ? null : ToDto(device);
    }

    public async Task<CreateDeviceResult> CreateAsync(CreateDeviceRequest request, CancellationToken ct)
    {
        if (DeviceRules.CheckName(request.Name) is { } problem)
        {
            return new CreateDeviceResult(null, new Dictionary<string, string[]> { ["name"] = [problem] });
        }

        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Devices), ct);
        await using var _db = db;
        var entityId = request.EntityId ?? caller.Scope.EntityId;
        if (!await db.Entities.AnyAsync(e => e.Id == entityId, ct))
        {
            // Outside the caller's scope looks exactly like not existing.
            return new CreateDeviceResult(null, new Dictionary<string, string[]> { ["entityId"] = [$"There is no entity {entityId}."] });
        }

        var secret = DeviceSecrets.NewSecret();
        var device = new Device
        {
            Id = Guid.CreateVersion7(),
            EntityId = entityId,
            Name = request.Name!.Trim(),
            Key = await NewUniqueKeyAsync(db, ct),
            SecretHash = DeviceSecrets.Hash(secret),
            CreatedAt = clock.GetUtcNow(),
        };
        db.Devices.Add(device);
        await db.SaveChangesAsync(ct);
        return new CreateDeviceResult(new CreatedDeviceDto(device.Id, device.Name, device.Key, secret), null);
    }

    /// <summary>
    /// Gives the device a new secret, shown once; the old one stops working and the device's live connections
    /// are closed, so a leaked secret cannot keep a session open.
    /// </summary>
    public async Task<CreatedDeviceDto?> RegenerateSecretAsync(Guid id, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Of(SecuredActions.DevicesRegenerateSecret), ct);
        await using var _db = db;
        var device = await db.Devices.SingleOrDefaultAsync(d => d.Id == id, ct);
        if (device is null)
        {
            return null;
        }

        var secret = DeviceSecrets.NewSecret();
        device.SecretHash = DeviceSecrets.Hash(secret);
        await db.SaveChangesAsync(ct);
        await connections.DisconnectAsync(device.Key, ct);
        await audit.RecordAsync(Security.Audit.AuditActions.DeviceSecretRegenerated, caller, $"{device.Name} ({device.Key})", null, ct);
        return new CreatedDeviceDto(device.Id, device.Name, device.Key, secret);
    }

    /// <summary>
    /// Deletes the device with its messages (they have no foreign key to it: see docs/architecture.md) and closes its
    /// connections.
    /// </summary>
    public async Task<bool> DeleteAsync(Guid id, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Devices), ct);
        await using var _db = db;
        var key = await db.Devices.Where(d => d.Id == id).Select(d => d.Key).SingleOrDefaultAsync(ct);
        if (key is null)
        {
            return false;
        }

        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            await DeleteMessagesAsync(db, id, ct);
            if (await db.Devices.Where(d => d.Id == id).ExecuteDeleteAsync(ct) == 0)
            {
                return false; // deleted meanwhile
            }

            await transaction.CommitAsync(ct);
        }

        // Deleted: from here on, the device's connections are closed and it cannot connect again. What it sent before
        // that may still be on its way to the database; once that has settled, it goes too.
        await connections.DisconnectAsync(key, CancellationToken.None);
        await intake.SettledAsync(CancellationToken.None);
        await DeleteMessagesAsync(db, id, CancellationToken.None);
        await db.MessageCounts.IgnoreQueryFilters().Where(c => c.DeviceId == id).ExecuteDeleteAsync(CancellationToken.None);
        return true;
    }

    // The messages' scope filter matches only through an existing device: the device's scope was checked above.
    private static Task<int> DeleteMessagesAsync(AppDbContext db, Guid deviceId, CancellationToken ct) =>
        db.Messages.IgnoreQueryFilters().Where(m => m.DeviceId == deviceId).ExecuteDeleteAsync(ct);

    private static async Task<string> NewUniqueKeyAsync(AppDbContext db, CancellationToken ct)
    {
        // 32^12 keys: a clash is practically impossible, but cheap to rule out.
        while (true)
        {
            var key = DeviceSecrets.NewKey();
            if (!await db.Devices.IgnoreQueryFilters().AnyAsync(d => d.Key == key, ct)) // keys are unique platform-wide
            {
                return key;
            }
        }
    }

    private static DeviceDto ToDto(Device d) => new(d.Id, d.Name, d.Key, d.EntityId, d.CreatedAt, d.LastSeenAt, d.IsConnected);
}

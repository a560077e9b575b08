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
    Messaging.Lifecycle.OrphanSweepSignal sweep,
    Messaging.Profiles.ProfileService profiles)
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
        if (await db.Entities.Where(e => e.Id == entityId).Select(e => e.Name).SingleOrDefaultAsync(ct) is not { } entityName)
        {
            // Outside the caller's scope looks exactly like not existing.
            return new CreateDeviceResult(null, new Dictionary<string, string[]> { ["entityId"] = [$"There is no entity {entityId}."] });
        }

        if (request.ProfileId is { } profileId && await ProfileProblemAsync(db, profileId, entityId, ct) is { } profileProblem)
        {
            return new CreateDeviceResult(null, new Dictionary<string, string[]> { ["profileId"] = [profileProblem] });
        }

        var profileName = request.ProfileId is { } p ? await db.Profiles.Where(x => x.Id == p).Select(x => x.Name).SingleAsync(ct) : null;
        var details = $"in {entityName}{(profileName is null ? "" : $", profile {profileName}")}";
        var created = await AddCheckedAsync(db, caller, [new NewDevice(request.Name!, entityId, request.ProfileId, details)], ct);
        return new CreateDeviceResult(created[0], null);
    }

    /// <summary>
    /// Adds devices whose name, entity and profile were checked in <paramref name="db"/> (the caller's scoped context), in
    /// one save: all of them or none. Each is audited as created, with its <see cref="NewDevice.AuditDetails"/>.
    /// </summary>
    internal async Task<IReadOnlyList<CreatedDeviceDto>> AddCheckedAsync(AppDbContext db, Caller caller, IReadOnlyList<NewDevice> devices, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var created = new List<(Device Device, string Secret, string Details)>();
        foreach (var d in devices)
        {
            var secret = DeviceSecrets.NewSecret();
            var device = new Device
            {
                ProfileId = d.ProfileId, Id = Guid.CreateVersion7(), EntityId = d.EntityId, Name = DisplayText.Clean(d.Name),
                Key = await NewUniqueKeyAsync(db, ct), SecretHash = DeviceSecrets.Hash(secret), CreatedAt = now,
            };
            db.Devices.Add(device);
            created.Add((device, secret, d.AuditDetails));
        }

        await db.SaveChangesAsync(ct);
        foreach (var (device, _, details) in created)
        {
            await audit.RecordAsync(Security.Audit.AuditActions.DeviceCreated, caller, $"{device.Name} ({device.Key})", details, CancellationToken.None);
        }

        return created.ConvertAll(c => new CreatedDeviceDto(c.Device.Id, c.Device.Name, c.Device.Key, c.Secret));
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
        await connections.DisconnectAsync(device.Key, DeviceDisconnectReasons.CredentialsChanged, ct);
        await audit.RecordAsync(Security.Audit.AuditActions.DeviceSecretRegenerated, caller, $"{device.Name} ({device.Key})", null, ct);
        return new CreatedDeviceDto(device.Id, device.Name, device.Key, secret);
    }

    /// <summary>
    /// Deletes the device (with its commands, certificates, connection history, attributes and computed telemetry) and
    /// closes its connections. Its
    /// messages have no foreign key to it (docs/architecture.md): from now on they match no device, so no list or count
    /// shows them, and <see cref="Messaging.Lifecycle.OrphanMessageSweeper"/> deletes them a chunk at a time, with any
    /// that were still on their way.
    /// </summary>
    public async Task<bool> DeleteAsync(Guid id, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Devices), ct);
        await using var _db = db;
        var device = await db.Devices.Where(d => d.Id == id).Select(d => new { d.Name, d.Key }).SingleOrDefaultAsync(ct);
        if (device is null || await db.Devices.Where(d => d.Id == id).ExecuteDeleteAsync(ct) == 0)
        {
            return false;
        }

        // Deleted: its credentials no longer admit it, and what follows must happen whatever the caller does now.
        sweep.Raise();
        await connections.DisconnectAsync(device.Key, DeviceDisconnectReasons.Deleted, CancellationToken.None);
        await audit.RecordAsync(Security.Audit.AuditActions.DeviceDeleted, caller, $"{device.Name} ({device.Key})", null, CancellationToken.None);
        return true;
    }

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

    /// <summary>Renames the device and/or changes its profile (checked as a bulk assignment of one).</summary>
    public async Task<ChangeResult> UpdateAsync(Guid id, UpdateDeviceRequest request, CancellationToken ct)
    {
        if (request.Name is not null && DeviceRules.CheckName(request.Name) is { } problem)
        {
            return ChangeResult.Invalid("name", problem);
        }

        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Devices), ct);
        await using var _db = db;
        var device = await db.Devices.SingleOrDefaultAsync(d => d.Id == id, ct);
        if (device is null)
        {
            return ChangeResult.NotFound;
        }

        if (request.RemoveProfile || request.ProfileId is not null)
        {
            var assigned = await profiles.AssignAsync(request.RemoveProfile ? null : request.ProfileId, [id], ct);
            if (assigned.Outcome != ChangeOutcome.Done)
            {
                return assigned.Errors?.ContainsKey("profileId") == true || assigned.Outcome != ChangeOutcome.Invalid
                    ? assigned
                    : new ChangeResult(assigned.Outcome, Errors: new Dictionary<string, string[]> { ["profileId"] = [assigned.FirstError!] });
            }
        }

        if (request.Name is not null && DisplayText.Clean(request.Name) is var name && name != device.Name)
        {
            var before = device.Name;
            device.Name = name;
            await db.SaveChangesAsync(ct);
            await audit.RecordAsync(Security.Audit.AuditActions.DeviceUpdated, caller, $"{device.Name} ({device.Key})", $"name: {before} -> {name}", CancellationToken.None);
        }

        return ChangeResult.Done(id);
    }

    private static async Task<string?> ProfileProblemAsync(Storage.AppDbContext db, Guid profileId, Guid entityId, CancellationToken ct)
    {
        var profilePath = await db.Profiles.Where(p => p.Id == profileId).Select(p => p.Entity!.Path).SingleOrDefaultAsync(ct);
        var devicePath = await db.Entities.Where(e => e.Id == entityId).Select(e => e.Path).SingleAsync(ct);
        return profilePath is null ? $"There is no profile {profileId}."
            : devicePath.StartsWith(profilePath, StringComparison.Ordinal) ? null
            : "The profile belongs to another branch of the entity tree: a profile serves its entity and those below it.";
    }

    private static DeviceDto ToDto(Device d) => new(d.Id, d.Name, d.Key, d.EntityId, d.CreatedAt, d.LastSeenAt, d.IsConnected, d.ProfileId);
}

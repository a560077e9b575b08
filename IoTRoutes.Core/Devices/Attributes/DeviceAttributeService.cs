using System.Text.Json.Nodes;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Audit;
using IoTRoutes.Core.Security.Permissions;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Devices.Attributes;

/// <summary>
/// A device's attributes for users: read with Devices View, set and deleted with Devices Manage, always within the
/// caller's part of the entity tree; changes are audited and announced to live pages.
/// </summary>
public sealed class DeviceAttributeService(ScopedContexts contexts, TimeProvider clock, AuditTrail audit, DeviceAttributeFeed feed)
{
    /// <summary>The device's attributes by key; null when the device is not in the caller's scope.</summary>
    public async Task<IReadOnlyList<DeviceAttributeDto>?> ListAsync(Guid deviceId, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Devices), ct);
        await using var _db = db;
        if (!await db.Devices.AnyAsync(d => d.Id == deviceId, ct))
        {
            return null;
        }

        var rows = await db.DeviceAttributes.AsNoTracking().Where(a => a.DeviceId == deviceId).ToListAsync(ct);
        return [.. rows.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => new DeviceAttributeDto(a.Key, JsonNode.Parse(a.Value), a.UpdatedAt, a.UpdatedBy))];
    }

    /// <summary>
    /// Sets one attribute (adds it, or changes its value). The same value again changes nothing and is not audited.
    /// Invalid key or value: field errors <c>key</c>, <c>value</c>; a device already holding the most it may: a conflict.
    /// </summary>
    public async Task<ChangeResult> SetAsync(Guid deviceId, string? key, JsonNode? value, CancellationToken ct)
    {
        if (AttributeRules.CheckKey(key) is { } keyProblem)
        {
            return ChangeResult.Invalid("key", keyProblem);
        }

        var (json, valueProblem) = AttributeRules.CheckValue(value);
        if (json is null)
        {
            return ChangeResult.Invalid("value", valueProblem!);
        }

        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Devices), ct);
        await using var _db = db;
        var by = caller.UserId is { } userId ? await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleOrDefaultAsync(ct) : null;
        var written = await AttributeStore.SetAsync(db, deviceId, [new(key!, json)], TextLimits.Clip(by ?? "?", AttributeRules.MaxUpdatedByLength)!, clock.GetUtcNow(), ct);
        if (written is null)
        {
            return ChangeResult.NotFound;
        }

        if (written.Problem is { } problem)
        {
            return ChangeResult.Conflict("key", problem);
        }

        if (written.Changed.Count > 0)
        {
            feed.Publish(deviceId);
            await audit.RecordAsync(AuditActions.DeviceAttributeSet, caller, await TargetAsync(db, deviceId, ct), $"{key} = {json}", CancellationToken.None);
        }

        return ChangeResult.Done(deviceId);
    }

    /// <summary>Deletes one attribute. Not found: the device (no errors), or the attribute (an error on <c>key</c>).</summary>
    public async Task<ChangeResult> DeleteAsync(Guid deviceId, string key, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Devices), ct);
        await using var _db = db;
        if (await TargetAsync(db, deviceId, ct) is not { } target)
        {
            return ChangeResult.NotFound;
        }

        if (await db.DeviceAttributes.Where(a => a.DeviceId == deviceId && a.Key == key).ExecuteDeleteAsync(ct) == 0)
        {
            return new ChangeResult(ChangeOutcome.NotFound, Errors: new Dictionary<string, string[]> { ["key"] = [$"The device has no attribute {key}."] });
        }

        feed.Publish(deviceId);
        await audit.RecordAsync(AuditActions.DeviceAttributeDeleted, caller, target, key, CancellationToken.None);
        return ChangeResult.Done(deviceId);
    }

    private static Task<string?> TargetAsync(Storage.AppDbContext db, Guid deviceId, CancellationToken ct) =>
        db.Devices.Where(d => d.Id == deviceId).Select(d => d.Name + " (" + d.Key + ")").SingleOrDefaultAsync(ct);
}

using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Engine;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Workflows.Runner;

/// <summary>A device as a run sees it (<c>device.name</c>…), with its entity's path (to keep a workflow to its own part of the entity tree).</summary>
public sealed record RunDevice(DeviceContext Context, string Path)
{
    /// <summary>
    /// Whether <paramref name="entity"/> (the device's entity: triggers ask of no other) is <paramref name="ancestor"/>
    /// or below it; the device's path holds the ids from the root down, so no other entity needs reading.
    /// </summary>
    public bool Within(Guid entity, Guid ancestor) => IsWithin(Context.EntityId, Path, entity, ancestor);

    /// <summary><see cref="Within"/> for a device known by its entity and that entity's path only.</summary>
    public static bool IsWithin(Guid deviceEntity, string devicePath, Guid entity, Guid ancestor) =>
        entity == deviceEntity && devicePath.Contains($"/{ancestor:N}/", StringComparison.Ordinal);
}

/// <summary>Loads the devices a batch of events is about, with their profiles' names and their attributes, in one query each.</summary>
public static class RunDevices
{
    public static async Task<Dictionary<Guid, RunDevice>> LoadAsync(AppDbContext db, List<Guid> ids, CancellationToken ct)
    {
        var rows = await db.Devices.IgnoreQueryFilters().Where(d => ids.Contains(d.Id))
            .Select(d => new { d.Id, d.Name, d.Key, d.EntityId, d.Entity!.Path, d.ProfileId }).ToListAsync(ct);
        var profileIds = rows.Select(r => r.ProfileId).OfType<Guid>().Distinct().ToList();
        var profiles = await db.Profiles.IgnoreQueryFilters().Where(p => profileIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        // Read once per batch: an attribute a run sets is seen from the next batch on.
        var attributes = await Devices.Attributes.DeviceAttributeReader.ReadAsync(db, ids, ct);
        return rows.ToDictionary(r => r.Id, r => new RunDevice(
            new DeviceContext(r.Id, r.Name, r.Key, r.EntityId, r.ProfileId, r.ProfileId is { } p ? profiles.GetValueOrDefault(p) : null,
                attributes.GetValueOrDefault(r.Id) ?? Devices.Attributes.DeviceAttributeReader.None),
            r.Path));
    }
}

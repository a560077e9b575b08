using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Runner;
using IoTRoutes.Core.Workflows.Triggers;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Jobs;

/// <summary>The devices a job action's filter names, in its workflow's part of the entity tree (reports, queries, commands).</summary>
internal static class JobDevices
{
    /// <summary>Their ids and names, by name, at most <paramref name="take"/>; null when the workflow is gone.</summary>
    public static async Task<List<(Guid Id, string Name)>?> MatchingAsync(AppDbContext db, Guid workflowId, DeviceFilter filter, int take, CancellationToken ct)
    {
        var path = await db.Workflows.IgnoreQueryFilters().Where(w => w.Id == workflowId).Select(w => w.Entity!.Path).SingleOrDefaultAsync(ct);
        if (path is null) return null;
        var candidates = await db.Devices.IgnoreQueryFilters().Where(d => d.Entity!.Path.StartsWith(path)).OrderBy(d => d.Name)
            .Select(d => new { d.Id, d.Name, d.EntityId, d.ProfileId, d.Entity!.Path }).ToListAsync(ct);
        return [.. candidates
            .Where(d => filter.Matches(new TriggerEvent(TriggerKind.Manual, d.Id, d.EntityId, d.ProfileId), (entity, ancestor) => RunDevice.IsWithin(d.EntityId, d.Path, entity, ancestor)))
            .Take(take).Select(d => (d.Id, d.Name))];
    }
}

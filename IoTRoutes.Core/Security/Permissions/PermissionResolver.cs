using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Security.Permissions;

/// <summary>Works out a user's effective permissions from its roles.</summary>
public sealed class PermissionResolver(IDbContextFactory<AppDbContext> contexts)
{
    public async Task<EffectivePermissions> ForUserAsync(Guid userId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var roleIds = db.UserRoles.Where(ur => ur.UserId == userId).Select(ur => ur.RoleId);
        var grants = await db.Set<RoleGrant>().Where(g => roleIds.Contains(g.RoleId)).Select(g => new { g.Object, g.Level }).ToListAsync(ct);
        var actions = await db.Set<RoleAction>().Where(a => roleIds.Contains(a.RoleId)).Select(a => a.Action).ToListAsync(ct);
        var levels = grants.GroupBy(g => g.Object).ToDictionary(g => g.Key, g => g.Max(x => x.Level));
        return new EffectivePermissions(levels, actions.ToHashSet());
    }
}

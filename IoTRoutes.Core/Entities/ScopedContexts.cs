using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Entities;

/// <summary>
/// Creates database contexts whose query filters show only the caller's part of the entity tree.
/// Every service that answers a user goes through this, so a forgotten check cannot leak another entity's data.
/// </summary>
public sealed class ScopedContexts(IDbContextFactory<AppDbContext> contexts, IEntityScopeProvider scopes)
{
    public async Task<(AppDbContext Db, EntityScope Scope)> CreateAsync(CancellationToken ct)
    {
        var scope = await scopes.GetScopeAsync(ct);
        var db = await contexts.CreateDbContextAsync(ct);
        db.ScopePath = scope.Path;
        return (db, scope);
    }
}

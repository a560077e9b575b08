using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Security.Permissions;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Entities;

/// <summary>
/// The one door of user-facing services to the database: checks that the caller holds the permission the
/// operation needs, then creates a context whose query filters show only the caller's part of the entity tree.
/// A forgotten check in a page or route can therefore neither skip the permission nor leak another entity's data.
/// </summary>
public sealed class ScopedContexts(IDbContextFactory<AppDbContext> contexts, ICallerProvider callers)
{
    /// <exception cref="PermissionDeniedException">The caller lacks <paramref name="needed"/>.</exception>
    public async Task<(AppDbContext Db, Caller Caller)> CreateAsync(Permission needed, CancellationToken ct)
    {
        var caller = await callers.GetCallerAsync(ct);
        if (!caller.Permissions.Allows(needed))
        {
            throw new PermissionDeniedException(needed);
        }

        var db = await contexts.CreateDbContextAsync(ct);
        db.ScopePath = caller.Scope.Path;
        return (db, caller);
    }
}

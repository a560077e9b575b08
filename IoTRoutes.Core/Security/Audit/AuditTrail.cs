using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Security.Audit;

/// <summary>Writes audit entries. Called by the services whose operations are audited, right after they succeed.</summary>
public sealed class AuditTrail(IDbContextFactory<AppDbContext> contexts, TimeProvider clock)
{
    public async Task RecordAsync(string action, Caller caller, string? target, string? details, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var email = caller.UserId is { } id
            ? await db.Users.Where(u => u.Id == id).Select(u => u.Email).SingleOrDefaultAsync(ct) ?? "?"
            : "?";
        await WriteAsync(db, action, caller.UserId, email, caller.Scope.EntityId, target, details, caller.From, ct);
    }

    /// <summary>For sign-ins, where the actor is only an e-mail address (possibly unknown) and its user, if any.</summary>
    public async Task RecordSignInAsync(string action, string email, Guid? userId, Guid? entityId, string? from, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await WriteAsync(db, action, userId, email, entityId ?? RootEntity.Id, null, null, from, ct);
    }

    /// <summary>For a user acting on its own account outside a scoped service (a password change).</summary>
    public async Task RecordForUserAsync(string action, Guid userId, string? from, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var user = await db.Users.Where(u => u.Id == userId).Select(u => new { u.Email, u.EntityId }).SingleOrDefaultAsync(ct);
        await WriteAsync(db, action, userId, user?.Email ?? "?", user?.EntityId ?? RootEntity.Id, null, null, from, ct);
    }

    /// <summary>For a change made on the server's command line, where there is no signed-in user.</summary>
    public async Task RecordFromCommandLineAsync(string action, string? target, Guid entityId, string? details, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await WriteAsync(db, action, null, $"command line ({Environment.UserName}@{Environment.MachineName})", entityId, target, details, null, ct);
    }

    private async Task WriteAsync(
        AppDbContext db, string action, Guid? userId, string email, Guid entityId, string? target, string? details, string? from, CancellationToken ct)
    {
        db.AuditEntries.Add(new AuditEntry
        {
            Id = Guid.CreateVersion7(), At = clock.GetUtcNow(), UserId = userId, UserEmail = TextLimits.Clip(email, 256)!,
            EntityId = entityId == Guid.Empty ? RootEntity.Id : entityId, Action = action,
            Target = TextLimits.Clip(target, 256), Details = TextLimits.Clip(details, 2000), From = TextLimits.Clip(from, 64),
        });
        await db.SaveChangesAsync(ct);
    }
}

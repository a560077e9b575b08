using IoTRoutes.Core;
using System.ComponentModel.DataAnnotations;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Permissions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Security;

/// <param name="RecentFailedSignIns">Wrong passwords on this account from addresses it never signed in from, not yet forgotten.</param>
public sealed record UserDto(
    Guid Id, string Email, Guid EntityId, string EntityName, IReadOnlyList<string> Roles, bool IsDisabled,
    int RecentFailedSignIns, bool MustChangePassword, DateTimeOffset CreatedAt, DateTimeOffset? LastSignInAt);

/// <summary>A new user: <paramref name="EntityId"/> defaults to the caller's entity; roles by name.</summary>
public sealed record CreateUserRequest(string? Email, string? Password, Guid? EntityId, List<string>? Roles);

/// <summary>Changes to a user; what is null stays as it is.</summary>
public sealed record UpdateUserRequest(Guid? EntityId, List<string>? Roles, bool? IsDisabled);

/// <summary>User management within the caller's entity: list, create, change entity and roles, disable, reset password.</summary>
public sealed class UserService(
    ScopedContexts contexts, UserManager<User> users, PermissionResolver permissions, SignIn.SignInThrottle throttle, TimeProvider clock, Audit.AuditTrail audit)
{
    public async Task<IReadOnlyList<UserDto>> ListAsync(CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Users), ct);
        await using var _db = db;
        var users = await db.Users.AsNoTracking().Include(u => u.Entity).OrderBy(u => u.Email).ToListAsync(ct);
        var ids = users.Select(u => u.Id).ToList();
        var roles = await db.UserRoles.Where(ur => ids.Contains(ur.UserId))
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name })
            .ToListAsync(ct);
        return users.ConvertAll(u => new UserDto(
            u.Id, u.Email, u.EntityId, u.Entity!.Name, roles.Where(r => r.UserId == u.Id).Select(r => r.Name).Order().ToList(),
            u.IsDisabled, throttle.RecentFailures(SignIn.SignInSource.AccountKey(u.Email)), u.MustChangePassword, u.CreatedAt, u.LastSignInAt));
    }

    public async Task<UserDto?> FindAsync(Guid id, CancellationToken ct) => (await ListAsync(ct)).FirstOrDefault(u => u.Id == id);

    public async Task<ChangeResult> CreateAsync(CreateUserRequest request, CancellationToken ct)
    {
        var email = request.Email?.Trim();
        if (string.IsNullOrEmpty(email) || email.Length > 256 || !IsAddress(email))
        {
            return ChangeResult.Invalid("email", "Enter a valid e-mail address.");
        }

        if (PasswordRules.Check(request.Password) is { } passwordProblem)
        {
            return ChangeResult.Invalid("password", passwordProblem);
        }

        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Users), ct);
        await using var _db = db;
        var normalized = User.Normalize(email);
        if (await db.Users.IgnoreQueryFilters().AnyAsync(u => u.NormalizedEmail == normalized, ct))
        {
            return ChangeResult.Invalid("email", "This e-mail address is already in use.");
        }

        var entityId = request.EntityId ?? caller.Scope.EntityId;
        if (!await db.Entities.AnyAsync(e => e.Id == entityId, ct))
        {
            return ChangeResult.Invalid("entityId", $"There is no entity {entityId}.");
        }

        if (await ResolveRolesAsync(db, request.Roles ?? [], ct) is not { } roleIds)
        {
            return UnknownRoles(request.Roles);
        }

        if (await BeyondCallerAsync(db, roleIds, caller, ct) is { } tooStrong)
        {
            return tooStrong;
        }

        var user = new User
        {
            Id = Guid.CreateVersion7(), Email = email, NormalizedEmail = normalized, PasswordHash = "", EntityId = entityId,
            CreatedAt = clock.GetUtcNow(),
        };
        var created = await users.CreateAsync(user, request.Password!);
        if (!created.Succeeded)
        {
            return ChangeResult.Invalid(created.Errors.Any(e => e.Code.StartsWith("Password", StringComparison.Ordinal)) ? "password" : "email",
                string.Join(" ", created.Errors.Select(e => e.Description)));
        }

        db.UserRoles.AddRange(roleIds.Select(r => new UserRole { UserId = user.Id, RoleId = r }));
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(Audit.AuditActions.UserCreated, caller, user.Email,
            $"entity {entityId}; roles: {string.Join(", ", request.Roles ?? [])}", ct);
        return ChangeResult.Done(user.Id);
    }

    public async Task<ChangeResult> UpdateAsync(Guid id, UpdateUserRequest request, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Users), ct);
        await using var _db = db;
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct);
        if (user is null)
        {
            return ChangeResult.NotFound;
        }

        if (id == caller.UserId && request.IsDisabled == true)
        {
            return ChangeResult.Invalid("isDisabled", "You cannot disable your own account.");
        }

        if (await StrongerThanCallerAsync(id, caller, ct) is { } stronger)
        {
            return stronger;
        }

        var (entityBefore, rolesBefore) = (user.EntityId, await RoleNamesAsync(db, id, ct));
        await using var transaction = await db.Database.BeginTransactionAsync(ct); // roles are replaced as one change
        if (request.EntityId is { } entityId)
        {
            if (!await db.Entities.AnyAsync(e => e.Id == entityId, ct))
            {
                return ChangeResult.Invalid("entityId", $"There is no entity {entityId}.");
            }

            user.EntityId = entityId;
        }

        if (request.Roles is { } roles)
        {
            if (await ResolveRolesAsync(db, roles, ct) is not { } roleIds)
            {
                return UnknownRoles(roles);
            }

            if (await BeyondCallerAsync(db, roleIds, caller, ct) is { } tooStrong)
            {
                return tooStrong;
            }

            await db.UserRoles.Where(ur => ur.UserId == id).ExecuteDeleteAsync(ct);
            db.UserRoles.AddRange(roleIds.Select(r => new UserRole { UserId = id, RoleId = r }));
        }

        if (request.IsDisabled is { } disabled && disabled != user.IsDisabled)
        {
            user.IsDisabled = disabled;
            user.SecurityStamp = User.NewStamp();
            if (disabled)
            {
                await RevokeRefreshTokensAsync(db, id, ct);
            }
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        var changes = new List<string>();
        if (user.EntityId != entityBefore)
        {
            var names = await db.Entities.IgnoreQueryFilters().Where(e => e.Id == entityBefore || e.Id == user.EntityId).ToDictionaryAsync(e => e.Id, e => e.Name, ct);
            changes.Add($"entity: {names.GetValueOrDefault(entityBefore)} -> {names.GetValueOrDefault(user.EntityId)}");
        }

        if (request.Roles is not null && await RoleNamesAsync(db, id, ct) is var rolesAfter && rolesAfter != rolesBefore)
        {
            changes.Add($"roles: {(rolesBefore.Length == 0 ? "(none)" : rolesBefore)} -> {(rolesAfter.Length == 0 ? "(none)" : rolesAfter)}");
        }

        if (request.IsDisabled is { } isDisabled) changes.Add(isDisabled ? "disabled" : "enabled");
        await audit.RecordAsync(Audit.AuditActions.UserUpdated, caller, user.Email, changes.Count == 0 ? "no change" : string.Join("; ", changes), ct);
        return ChangeResult.Done(id);
    }

    /// <summary>Sets a new password that the user must change at next sign-in; ends its sessions and unlocks it.</summary>
    public async Task<ChangeResult> ResetPasswordAsync(Guid id, string? newPassword, CancellationToken ct)
    {
        if (PasswordRules.Check(newPassword) is { } problem)
        {
            return ChangeResult.Invalid("password", problem);
        }

        var (db, caller) = await contexts.CreateAsync(Permission.Of(SecuredActions.UsersResetPassword), ct);
        await using var _db = db;
        if (!await db.Users.AnyAsync(u => u.Id == id, ct) || await users.FindByIdAsync(id.ToString()) is not { } user)
        {
            return ChangeResult.NotFound;
        }

        if (await StrongerThanCallerAsync(id, caller, ct) is { } stronger)
        {
            return stronger;
        }

        // Validated first so that a refused password leaves the old one in place.
        foreach (var validator in users.PasswordValidators)
        {
            if (await validator.ValidateAsync(users, user, newPassword!) is { Succeeded: false } invalid)
            {
                return ChangeResult.Invalid("password", string.Join(" ", invalid.Errors.Select(e => e.Description)));
            }
        }

        await users.RemovePasswordAsync(user);
        await users.AddPasswordAsync(user, newPassword!); // both renew the security stamp
        user.MustChangePassword = true;
        await users.UpdateAsync(user);
        await RevokeRefreshTokensAsync(db, id, ct);
        await db.SaveChangesAsync(ct);
        throttle.Forget(SignIn.SignInSource.AccountKey(user.Email));
        await audit.RecordAsync(Audit.AuditActions.UserPasswordReset, caller, user.Email, null, ct);
        return ChangeResult.Done(id);
    }

    private static async Task<List<Guid>?> ResolveRolesAsync(Storage.AppDbContext db, List<string> names, CancellationToken ct)
    {
        var wanted = names.Select(n => n.Trim()).Where(n => n.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var found = await db.Roles.Where(r => wanted.Contains(r.Name)).Select(r => r.Id).ToListAsync(ct);
        return found.Count == wanted.Count ? found : null;
    }

    /// <summary>
    /// Refuses roles that allow more than the caller may do itself: managing users must not be a way to
    /// hand out (or take) more power than one has.
    /// </summary>
    private static async Task<ChangeResult?> BeyondCallerAsync(Storage.AppDbContext db, List<Guid> roleIds, Caller caller, CancellationToken ct)
    {
        var roles = await db.Roles.AsNoTracking().Include(r => r.Grants).Include(r => r.Actions).AsSplitQuery().Where(r => roleIds.Contains(r.Id)).ToListAsync(ct);
        foreach (var role in roles)
        {
            var exceeds = role.Grants.Any(g => caller.Permissions.LevelOf(g.Object) < g.Level)
                || role.Actions.Any(a => Permission.Parse(a.Action) is not { } action || !caller.Permissions.Allows(action));
            if (exceeds)
            {
                return ChangeResult.Invalid("roles", $"{role.Name} allows more than you may do yourself; you cannot give it.");
            }
        }

        return null;
    }

    /// <summary>Nobody changes, disables or resets a user who may do more than they may: that would be a way to take over its power.</summary>
    private async Task<ChangeResult?> StrongerThanCallerAsync(Guid targetId, Caller caller, CancellationToken ct)
    {
        var target = await permissions.ForUserAsync(targetId, ct);
        var stronger = Enum.GetValues<SecuredObject>().Any(o => target.LevelOf(o) > caller.Permissions.LevelOf(o))
            || SecuredActions.All.Any(a => target.Allows(Permission.Of(a)) && !caller.Permissions.Allows(Permission.Of(a)));
        return stronger ? ChangeResult.Invalid("id", "This user may do more than you; only someone with at least the same permissions can change it.") : null;
    }

    private static ChangeResult UnknownRoles(List<string>? names) =>
        ChangeResult.Invalid("roles", $"Unknown role among: {string.Join(", ", names ?? [])}.");

    private Task RevokeRefreshTokensAsync(Storage.AppDbContext db, Guid userId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return db.RefreshTokens.Where(t => t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
    }

    /// <summary>
    /// An e-mail address as a mail system reads it: one mailbox, nothing around it, no control or invisible characters
    /// (the data annotation accepted anything with one '@').
    /// </summary>
    private static bool IsAddress(string email) =>
        DisplayText.Problem(email) is null && !email.Any(char.IsWhiteSpace)
        && System.Net.Mail.MailAddress.TryCreate(email, out var address) && address.Address == email && address.Host.Contains('.');

    private static async Task<string> RoleNamesAsync(Storage.AppDbContext db, Guid userId, CancellationToken ct) =>
        string.Join(", ", (await db.UserRoles.Where(ur => ur.UserId == userId).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name).ToListAsync(ct))
            .Order(StringComparer.Ordinal));
}

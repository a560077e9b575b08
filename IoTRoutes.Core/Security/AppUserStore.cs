using IoTRoutes.Core.Storage;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Security;

/// <summary>
/// ASP.NET Core Identity's view of our <see cref="User"/> table: lets <see cref="UserManager{TUser}"/> do password
/// checks and policy, lockout and security stamps. The user name is the e-mail address. Scoped: one context per
/// operation and reads untracked, so a long-lived Blazor circuit never works on a stale user.
/// No entity filter: sign-in must find any user; the services do the scoping.
/// </summary>
public sealed class AppUserStore(IDbContextFactory<AppDbContext> contexts) :
    IUserPasswordStore<User>, IUserEmailStore<User>, IUserLockoutStore<User>, IUserSecurityStampStore<User>
{
    public Task<IdentityResult> CreateAsync(User user, CancellationToken ct) => SaveAsync(db => db.Users.Add(user), ct);

    // Only what Identity manages is written: a sign-in that read the row before an administrator disabled or
    // moved the user must not write the old state back.
    private static readonly string[] IdentityColumns =
    [
        nameof(User.Email), nameof(User.NormalizedEmail), nameof(User.PasswordHash), nameof(User.SecurityStamp),
        nameof(User.AccessFailedCount), nameof(User.LockoutEnd), nameof(User.LastSignInAt), nameof(User.MustChangePassword),
    ];

    public Task<IdentityResult> UpdateAsync(User user, CancellationToken ct) => SaveAsync(db =>
    {
        var entry = db.Users.Attach(user);
        foreach (var column in IdentityColumns)
        {
            entry.Property(column).IsModified = true;
        }
    }, ct);

    public Task<IdentityResult> DeleteAsync(User user, CancellationToken ct) => SaveAsync(db => db.Users.Remove(user), ct);

    public Task<User?> FindByIdAsync(string userId, CancellationToken ct) =>
        Guid.TryParse(userId, out var id) ? FindAsync(u => u.Id == id, ct) : Task.FromResult<User?>(null);

    public Task<User?> FindByNameAsync(string normalizedUserName, CancellationToken ct) => FindByEmailAsync(normalizedUserName, ct);

    public Task<User?> FindByEmailAsync(string normalizedEmail, CancellationToken ct) => FindAsync(u => u.NormalizedEmail == normalizedEmail, ct);

    private async Task<User?> FindAsync(System.Linq.Expressions.Expression<Func<User, bool>> match, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Users.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(match, ct);
    }

    private async Task<IdentityResult> SaveAsync(Action<AppDbContext> change, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        change(db);
        await db.SaveChangesAsync(ct);
        return IdentityResult.Success;
    }

    public Task<string> GetUserIdAsync(User user, CancellationToken ct) => Task.FromResult(user.Id.ToString());

    public Task<string?> GetUserNameAsync(User user, CancellationToken ct) => Task.FromResult<string?>(user.Email);

    public Task SetUserNameAsync(User user, string? userName, CancellationToken ct)
    {
        user.Email = userName ?? user.Email;
        return Task.CompletedTask;
    }

    public Task<string?> GetNormalizedUserNameAsync(User user, CancellationToken ct) => Task.FromResult<string?>(user.NormalizedEmail);

    public Task SetNormalizedUserNameAsync(User user, string? normalizedName, CancellationToken ct)
    {
        user.NormalizedEmail = normalizedName ?? user.NormalizedEmail;
        return Task.CompletedTask;
    }

    public Task SetPasswordHashAsync(User user, string? passwordHash, CancellationToken ct)
    {
        user.PasswordHash = passwordHash ?? "";
        return Task.CompletedTask;
    }

    public Task<string?> GetPasswordHashAsync(User user, CancellationToken ct) => Task.FromResult<string?>(user.PasswordHash.Length == 0 ? null : user.PasswordHash);

    public Task<bool> HasPasswordAsync(User user, CancellationToken ct) => Task.FromResult(user.PasswordHash.Length > 0);

    public Task SetEmailAsync(User user, string? email, CancellationToken ct)
    {
        user.Email = email ?? user.Email;
        return Task.CompletedTask;
    }

    public Task<string?> GetEmailAsync(User user, CancellationToken ct) => Task.FromResult<string?>(user.Email);

    // Accounts are created by administrators: the address is taken as confirmed.
    public Task<bool> GetEmailConfirmedAsync(User user, CancellationToken ct) => Task.FromResult(true);

    public Task SetEmailConfirmedAsync(User user, bool confirmed, CancellationToken ct) => Task.CompletedTask;

    public Task<string?> GetNormalizedEmailAsync(User user, CancellationToken ct) => Task.FromResult<string?>(user.NormalizedEmail);

    public Task SetNormalizedEmailAsync(User user, string? normalizedEmail, CancellationToken ct)
    {
        user.NormalizedEmail = normalizedEmail ?? user.NormalizedEmail;
        return Task.CompletedTask;
    }

    public Task<DateTimeOffset?> GetLockoutEndDateAsync(User user, CancellationToken ct) => Task.FromResult(user.LockoutEnd);

    public Task SetLockoutEndDateAsync(User user, DateTimeOffset? lockoutEnd, CancellationToken ct)
    {
        user.LockoutEnd = lockoutEnd;
        return Task.CompletedTask;
    }

    public Task<int> IncrementAccessFailedCountAsync(User user, CancellationToken ct) => Task.FromResult(++user.AccessFailedCount);

    public Task ResetAccessFailedCountAsync(User user, CancellationToken ct)
    {
        user.AccessFailedCount = 0;
        return Task.CompletedTask;
    }

    public Task<int> GetAccessFailedCountAsync(User user, CancellationToken ct) => Task.FromResult(user.AccessFailedCount);

    public Task<bool> GetLockoutEnabledAsync(User user, CancellationToken ct) => Task.FromResult(true);

    public Task SetLockoutEnabledAsync(User user, bool enabled, CancellationToken ct) => Task.CompletedTask;

    public Task SetSecurityStampAsync(User user, string stamp, CancellationToken ct)
    {
        user.SecurityStamp = stamp;
        return Task.CompletedTask;
    }

    public Task<string?> GetSecurityStampAsync(User user, CancellationToken ct) => Task.FromResult<string?>(user.SecurityStamp);

    public void Dispose()
    {
    }
}

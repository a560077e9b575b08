using System.Security.Cryptography;
using IoTRoutes.Core.Security.Audit;
using IoTRoutes.Core.Storage;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Security;

/// <param name="Password">The new password when it was generated (to print once); null when the caller chose it.</param>
public sealed record OfflinePasswordResetResult(string? Problem, string? Password = null, bool IsDisabled = false)
{
    public bool Succeeded => Problem is null;
}

/// <summary>
/// Sets a user's password from the server's command line, for an administrator who lost theirs: whoever can run the
/// server's binary on its data can read the database anyway, so no sign-in is asked. A generated password must be
/// changed at the next sign-in, like the first start's. The account is unlocked, its sessions end, and it is audited.
/// </summary>
public sealed class OfflinePasswordReset(
    IDbContextFactory<AppDbContext> contexts, IServiceScopeFactory scopes, AuditTrail audit, TimeProvider clock)
{
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>The one-time password of the first start and of a reset: 16 characters without look-alikes (l, 1, O, 0).</summary>
    public static string GeneratePassword() => RandomNumberGenerator.GetString(Alphabet, 16);

    /// <param name="password">The new password; null to generate one.</param>
    public async Task<OfflinePasswordResetResult> ResetAsync(string email, string? password, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!(await db.Database.GetAppliedMigrationsAsync(ct)).Any())
        {
            return new("This data directory has no IoTRoutes database yet: start IoTRoutes once, it creates the administrator.");
        }

        using var scope = scopes.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        if (await users.FindByEmailAsync(email.Trim()) is not { } user)
        {
            var known = await db.Users.IgnoreQueryFilters().OrderBy(u => u.CreatedAt).Select(u => u.Email).Take(5).ToListAsync(ct);
            return new($"No user has the e-mail address {email.Trim()}. Users: {string.Join(", ", known)}{(known.Count == 5 ? ", ..." : "")}.");
        }

        var generated = password is null;
        password ??= GeneratePassword();
        if (PasswordRules.Check(password) is { } problem)
        {
            return new(problem);
        }

        foreach (var validator in users.PasswordValidators)
        {
            if (await validator.ValidateAsync(users, user, password) is { Succeeded: false } invalid)
            {
                return new(string.Join(" ", invalid.Errors.Select(e => e.Description)));
            }
        }

        await users.RemovePasswordAsync(user);
        await users.AddPasswordAsync(user, password); // both renew the security stamp: signed-in browsers are signed out
        user.MustChangePassword = generated;
        user.AccessFailedCount = 0;
        user.LockoutEnd = null;
        await users.UpdateAsync(user);

        var now = clock.GetUtcNow();
        await db.RefreshTokens.Where(t => t.UserId == user.Id && t.RevokedAt == null).ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
        await audit.RecordFromCommandLineAsync(AuditActions.UserPasswordReset, user.Email, user.EntityId,
            generated ? "from the server's command line; a one-time password" : "from the server's command line", ct);
        return new(null, generated ? password : null, user.IsDisabled);
    }
}

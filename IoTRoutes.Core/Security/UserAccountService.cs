using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Security.SignIn;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Security;

public sealed record SignedInUser(Guid Id, string Email, bool MustChangePassword, string SecurityStamp = "");

public enum CredentialCheck
{
    Valid,
    Invalid,
    /// <summary>Too many attempts from this address (on this account or on any): refused before the password is looked at.</summary>
    Throttled,
    Disabled,
}

public sealed record CredentialResult(CredentialCheck Outcome, SignedInUser? User, TimeSpan? RetryAfter = null)
{
    public static readonly CredentialResult Invalid = new(CredentialCheck.Invalid, null);

    /// <summary>What the sign-in page and the token endpoint say, the same for an unknown e-mail and a wrong password.</summary>
    public string Message => Outcome switch
    {
        CredentialCheck.Throttled => $"Too many sign-in attempts from your address. Try again in {WaitText(RetryAfter ?? TimeSpan.Zero)}.",
        CredentialCheck.Disabled => "This account is disabled. Ask an administrator.",
        _ => "The e-mail address or the password is wrong.",
    };

    /// <summary>"40 seconds", "15 minutes": how long to wait, as a person reads it.</summary>
    public static string WaitText(TimeSpan wait)
    {
        var seconds = (int)Math.Ceiling(wait.TotalSeconds);
        return seconds switch
        {
            <= 1 => "1 second",
            < 90 => $"{seconds} seconds",
            _ => $"{(int)Math.Ceiling(seconds / 60.0)} minutes",
        };
    }
}

public sealed record ChangePasswordResult(bool Succeeded, string? Error)
{
    public static readonly ChangePasswordResult Success = new(true, null);
    public static ChangePasswordResult Failed(string error) => new(false, error);
}

/// <summary>
/// Sign-in checks and password changes, through ASP.NET Core Identity's <see cref="UserManager{TUser}"/>
/// (password hashing and policy, security stamp); used by the sign-in page and the token endpoint. Guessing is slowed
/// by <see cref="SignInThrottle"/>, never by locking the account itself; an unknown e-mail address takes the same path
/// as a wrong password (one password hash verified, nothing written but the audit entry).
/// </summary>
public sealed class UserAccountService(
    UserManager<User> users,
    IDbContextFactory<AppDbContext> contexts,
    SignInThrottle throttle,
    UnknownAccountPassword unknownAccount,
    TimeProvider clock,
    Audit.AuditTrail audit)
{
    /// <summary>How long an attempt waits for its account's gate while the account is under attack, before a 429.</summary>
    internal static readonly TimeSpan AccountGateWait = TimeSpan.FromSeconds(10);

    /// <summary>Checks a sign-in and records it in the audit log; <paramref name="from"/> is the remote address.</summary>
    public async Task<CredentialResult> CheckCredentialsAsync(string? email, string? password, string? from, CancellationToken ct)
    {
        // No stored address is longer than 256 characters: a longer one cannot match, and is not worth a counter.
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password) || email.Length > 256 || password.Length > PasswordRules.MaxLength)
        {
            return CredentialResult.Invalid;
        }

        email = email.Trim();
        var admission = throttle.Admit(SignInSource.AddressKey(from), SignInSource.AccountKey(email));
        if (admission.Refused)
        {
            if (admission.Report)
            {
                await audit.RecordSignInAsync(Audit.AuditActions.SignInThrottled, email, null, null, from, ct);
            }

            return new CredentialResult(CredentialCheck.Throttled, null, admission.RetryAfter);
        }

        if (admission.Gate is { } gate && !await gate.WaitAsync(AccountGateWait, ct))
        {
            throttle.NotChecked(admission.Ticket!);
            return new CredentialResult(CredentialCheck.Throttled, null, TimeSpan.FromSeconds(5));
        }

        try
        {
            if (admission.Delay > TimeSpan.Zero)
            {
                await Task.Delay(admission.Delay, clock, ct);
            }

            var (result, user) = await CheckPasswordAsync(email, password);
            if (result.Outcome is CredentialCheck.Valid or CredentialCheck.Disabled)
            {
                throttle.Succeeded(admission.Ticket!);
            }

            var action = result.Outcome == CredentialCheck.Valid ? Audit.AuditActions.SignInSucceeded : Audit.AuditActions.SignInFailed;
            await audit.RecordSignInAsync(action, email, user?.Id, user?.EntityId, from, ct);
            return result;
        }
        finally
        {
            admission.Gate?.Release();
        }
    }

    private async Task<(CredentialResult Result, User? User)> CheckPasswordAsync(string email, string password)
    {
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            unknownAccount.Verify(users.PasswordHasher, password);
            return (CredentialResult.Invalid, null);
        }

        if (!await users.CheckPasswordAsync(user, password))
        {
            return (CredentialResult.Invalid, user);
        }

        if (user.IsDisabled)
        {
            return (new CredentialResult(CredentialCheck.Disabled, null), user);
        }

        user.LastSignInAt = clock.GetUtcNow();
        await users.UpdateAsync(user);
        return (new CredentialResult(CredentialCheck.Valid, ToSignedIn(user)), user);
    }

    public async Task<SignedInUser?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Users.Where(u => u.Id == id)
            .Select(u => new SignedInUser(u.Id, u.Email, u.MustChangePassword, u.SecurityStamp))
            .SingleOrDefaultAsync(ct);
    }

    /// <summary>Changes the user's own password; <paramref name="from"/> is the remote address, for the audit log.</summary>
    public async Task<ChangePasswordResult> ChangePasswordAsync(Guid userId, string? currentPassword, string? newPassword, string? from, CancellationToken ct)
    {
        if (PasswordRules.Check(newPassword) is { } problem)
        {
            return ChangePasswordResult.Failed(problem);
        }

        var user = await users.FindByIdAsync(userId.ToString());
        if (user is null)
        {
            return ChangePasswordResult.Failed("This account no longer exists.");
        }

        if (string.IsNullOrEmpty(currentPassword) || !await users.CheckPasswordAsync(user, currentPassword))
        {
            return ChangePasswordResult.Failed("The current password is wrong.");
        }

        if (currentPassword == newPassword)
        {
            return ChangePasswordResult.Failed("Choose a password different from the current one.");
        }

        var changed = await users.ChangePasswordAsync(user, currentPassword, newPassword!); // renews the security stamp
        if (!changed.Succeeded)
        {
            return ChangePasswordResult.Failed(string.Join(" ", changed.Errors.Select(e => e.Description)));
        }

        user.MustChangePassword = false;
        await users.UpdateAsync(user);

        // Whoever held a refresh token for this account must sign in again with the new password.
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        await db.RefreshTokens.Where(t => t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
        await audit.RecordForUserAsync(Audit.AuditActions.PasswordChanged, userId, from, ct);
        return ChangePasswordResult.Success;
    }

    /// <summary>Whether a browser session issued with <paramref name="stamp"/> is still good: same stamp, account enabled.</summary>
    public async Task<bool> IsSessionValidAsync(Guid userId, string? stamp, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Users.AnyAsync(u => u.Id == userId && u.SecurityStamp == stamp && !u.IsDisabled, ct);
    }

    /// <summary>Whether the user exists and is enabled, and (for a browser session) its stamp is current.</summary>
    public async Task<bool> IsActiveAsync(Guid userId, string? sessionStamp, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Users.AnyAsync(u => u.Id == userId && !u.IsDisabled && (sessionStamp == null || u.SecurityStamp == sessionStamp), ct);
    }

    private static SignedInUser ToSignedIn(User user) => new(user.Id, user.Email, user.MustChangePassword, user.SecurityStamp);
}

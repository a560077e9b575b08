using Microsoft.AspNetCore.Identity;

namespace IoTRoutes.Core.Security.SignIn;

/// <summary>
/// A password hash no account has, verified when a sign-in names an unknown e-mail address, so that the answer takes
/// as long as a wrong password on a real account: the hash is made once by the same hasher, with the same work factor.
/// A singleton holding only the hash; Identity's hasher itself is scoped.
/// </summary>
public sealed class UnknownAccountPassword
{
    private static readonly User Nobody = new() { Email = "", NormalizedEmail = "", PasswordHash = "" };

    private string? _hash;

    public void Verify(IPasswordHasher<User> hasher, string password)
    {
        var hash = _hash ??= hasher.HashPassword(Nobody, Guid.NewGuid().ToString("N"));
        hasher.VerifyHashedPassword(Nobody, hash, password);
    }
}

using Microsoft.AspNetCore.Identity;

namespace IoTRoutes.Core.Security;

/// <summary>PBKDF2 hashing from ASP.NET Core Identity (salted, versioned, rehash-aware).</summary>
public sealed class UserPasswordHasher
{
    private readonly PasswordHasher<User> _hasher = new();

    public string Hash(User user, string password) => _hasher.HashPassword(user, password);

    public bool Verify(User user, string password) =>
        _hasher.VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed;
}

namespace IoTRoutes.Core.Security;

/// <summary>A refresh token, stored as a hash. Each use rotates it: the old one is revoked.</summary>
public sealed class RefreshToken
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }

    /// <summary>Shared by every token rotated from one sign-in; reuse of a spent token revokes the whole family.</summary>
    public Guid FamilyId { get; set; }
    public required string TokenHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

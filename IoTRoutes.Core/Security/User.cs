namespace IoTRoutes.Core.Security;

public sealed class User
{
    public Guid Id { get; set; }
    public required string Email { get; set; }
    /// <summary>Upper-cased e-mail, unique: sign-in is case-insensitive on every database.</summary>
    public required string NormalizedEmail { get; set; }
    public required string PasswordHash { get; set; }
    public bool MustChangePassword { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastSignInAt { get; set; }

    /// <summary>A disabled user cannot sign in, and its refresh tokens and cookies stop working.</summary>
    public bool IsDisabled { get; set; }

    /// <summary>Wrong passwords in a row; reaching the limit locks the account until <see cref="LockoutEnd"/>.</summary>
    public int AccessFailedCount { get; set; }

    public DateTimeOffset? LockoutEnd { get; set; }

    /// <summary>Changes when the password or the account's status changes: browser sessions carrying an older one end.</summary>
    public string SecurityStamp { get; set; } = NewStamp();

    public static string NewStamp() => Guid.NewGuid().ToString("N");

    /// <summary>The entity the user is attached to: it sees that entity and everything below it.</summary>
    public Guid EntityId { get; set; }
    public Entities.Entity? Entity { get; set; }

    public static string Normalize(string email) => email.Trim().ToUpperInvariant();
}

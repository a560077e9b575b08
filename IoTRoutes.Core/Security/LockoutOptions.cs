using System.ComponentModel.DataAnnotations;

namespace IoTRoutes.Core.Security;

/// <summary>Bound to <c>IoTRoutes:Lockout</c>.</summary>
public sealed class LockoutOptions
{
    public const string Section = "IoTRoutes:Lockout";

    /// <summary>Wrong passwords in a row before the account is locked.</summary>
    [Range(1, 100)] public int MaxFailedAttempts { get; set; } = 5;

    /// <summary>How long a locked account stays locked, in minutes.</summary>
    [Range(1, 1440)] public int LockoutMinutes { get; set; } = 15;
}

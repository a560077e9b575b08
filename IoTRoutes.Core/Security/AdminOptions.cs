using System.ComponentModel.DataAnnotations;

namespace IoTRoutes.Core.Security;

/// <summary>The first administrator, created on an empty database. Bound to <c>IoTRoutes:Admin</c>.</summary>
public sealed class AdminOptions
{
    public const string Section = "IoTRoutes:Admin";

    [Required, EmailAddress] public string Email { get; set; } = "admin@iotroutes.local";

    /// <summary>When empty, a random password is generated, printed once and must be changed at first sign-in.</summary>
    public string? Password { get; set; }
}

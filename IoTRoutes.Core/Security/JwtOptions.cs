using System.ComponentModel.DataAnnotations;

namespace IoTRoutes.Core.Security;

/// <summary>API tokens. Bound to <c>IoTRoutes:Jwt</c>.</summary>
public sealed class JwtOptions
{
    public const string Section = "IoTRoutes:Jwt";

    [Required] public string Issuer { get; set; } = "IoTRoutes";
    [Required] public string Audience { get; set; } = "IoTRoutes.Api";
    [Range(1, 1440)] public int AccessTokenMinutes { get; set; } = 10;
    [Range(1, 365)] public int RefreshTokenDays { get; set; } = 14;

    /// <summary>Base64 HMAC key of at least 32 bytes. Empty: one is generated into the data directory and kept there.</summary>
    public string? SigningKey { get; set; }
}

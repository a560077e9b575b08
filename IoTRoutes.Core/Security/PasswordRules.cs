namespace IoTRoutes.Core.Security;

/// <summary>What a new password must satisfy; one place for the API, the UI and the bootstrap.</summary>
public static class PasswordRules
{
    public const int MinLength = 10;
    public const int MaxLength = 128;

    public static string? Check(string? password) => password switch
    {
        null or "" => "Enter a password.",
        { Length: < MinLength } => $"A password needs at least {MinLength} characters.",
        { Length: > MaxLength } => $"A password has at most {MaxLength} characters.",
        _ when password.Trim().Length != password.Length => "A password cannot start or end with spaces.",
        _ => null,
    };
}

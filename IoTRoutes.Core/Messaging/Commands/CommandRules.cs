namespace IoTRoutes.Core.Messaging.Commands;

public static class CommandRules
{
    public const int MaxNameLength = 100;
    public const int MaxPayloadBytes = 64 * 1024;
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(24);
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(30);

    public static string? CheckName(string? name) => name switch
    {
        null or "" => "A command needs a name.",
        { Length: > MaxNameLength } => $"A command name has at most {MaxNameLength} characters.",
        _ when name.Any(c => char.IsControl(c) || c is '/' or '+' or '#') => "A command name has no control characters, '/', '+' or '#'.",
        _ => null,
    };
}

namespace IoTRoutes.Core.Messaging.Commands;

public static class CommandRules
{
    public const int MaxNameLength = 100;
    public const int MaxPayloadBytes = 64 * 1024;
    public const int MaxCreatedByLength = 256;

    /// <summary>A workflow's effect key: an event id (32) and a node id (at most 64), with room to spare.</summary>
    public const int MaxEffectKeyLength = 128;

    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(24);
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(30);

    public static string? CheckName(string? name) => name switch
    {
        null or "" => "A command needs a name.",
        { Length: > MaxNameLength } => $"A command name has at most {MaxNameLength} characters.",
        _ when name.Any(c => char.IsControl(c) || c is '/' or '+' or '#') => "A command name has no control characters, '/', '+' or '#'.",
        _ => null,
    };

    public static string? CheckPayload(int bytes) =>
        bytes > MaxPayloadBytes ? $"A command payload has at most {MaxPayloadBytes} bytes." : null;

    public static string? CheckLifetime(TimeSpan lifetime) =>
        lifetime <= TimeSpan.Zero || lifetime > MaxLifetime ? $"A command may wait between 1 second and {MaxLifetime.TotalDays} days." : null;

    /// <summary>The first rule a command breaks, with the field it is about (<c>name</c>, <c>payload</c>, <c>expiresInSeconds</c>).</summary>
    public static (string Field, string Problem)? Check(string? name, int payloadBytes, TimeSpan lifetime) =>
        CheckName(name) is { } n ? ("name", n)
        : CheckPayload(payloadBytes) is { } p ? ("payload", p)
        : CheckLifetime(lifetime) is { } l ? ("expiresInSeconds", l)
        : null;
}

namespace IoTRoutes.Core.Communicators.FileTransfer;

/// <summary>
/// The names a communicator may give a file: a name alone, in the settings' directory. A name with a path or a line
/// break in it could write elsewhere on the server or, over FTP, smuggle in a second command.
/// </summary>
public static class RemoteFileName
{
    public const int MaxLength = 200;

    private const string TemporarySuffix = ".part";

    /// <summary>Why <paramref name="name"/> cannot be used, or null when it can.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "The file name is empty.";
        }

        if (name is "." or ".." || name.Contains(".."))
        {
            return $"The file name '{Shown(name)}' must not contain '..'.";
        }

        if (name.Any(c => c is '/' or '\\'))
        {
            return $"The file name '{Shown(name)}' must be a name alone, without '/' or '\\'.";
        }

        if (name.Any(char.IsControl))
        {
            return $"The file name '{Shown(name)}' must not contain control characters such as line breaks.";
        }

        if (name.Length > MaxLength)
        {
            return $"The file name is {name.Length} characters long; at most {MaxLength} are allowed.";
        }

        return name != name.Trim() ? $"The file name '{name}' must not begin or end with spaces." : null;
    }

    /// <summary>Throws a <see cref="ConnectionFailure.Protocol"/> failure when <paramref name="name"/> cannot be used.</summary>
    public static void Check(string name)
    {
        if (Problem(name) is { } problem)
        {
            throw new CommunicatorException(ConnectionFailure.Protocol, problem);
        }
    }

    /// <summary>
    /// Where an upload of <paramref name="name"/> is written before its rename: hidden (a leading dot), unique, and in the
    /// same directory so that the rename is a rename and not a copy.
    /// </summary>
    public static string Temporary(string name) => $".{name}.{Guid.NewGuid():N}{TemporarySuffix}";

    /// <summary>Whether <paramref name="name"/> is an upload still under way (or one that failed and could not be removed).</summary>
    public static bool IsTemporary(string name) =>
        name.StartsWith('.') && name.EndsWith(TemporarySuffix, StringComparison.Ordinal) && name.Length > 34 + TemporarySuffix.Length
        && name[^(32 + TemporarySuffix.Length)..^TemporarySuffix.Length].All(char.IsAsciiHexDigitLower)
        && name[^(33 + TemporarySuffix.Length)] == '.';

    private static string Shown(string name) => new(name.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}

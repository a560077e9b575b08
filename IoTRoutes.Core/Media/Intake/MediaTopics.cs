using IoTRoutes.Core.Messaging.Brokers;

namespace IoTRoutes.Core.Media.Intake;

/// <summary>
/// The Media exchange's topics: <c>devices/&lt;key&gt;/media/&lt;name&gt;</c>. A message there is a file (a picture, a
/// recording), stored in file storage and read by the media interpreters instead of a message format.
/// </summary>
public static class MediaTopics
{
    private const string Segment = "/media/";

    public static string Of(string deviceKey, string name) => $"{DeviceTopics.RootOf(deviceKey)}media/{name}";

    /// <summary>True for <c>devices/&lt;any key&gt;/media/&lt;name&gt;</c> with a non-empty name.</summary>
    public static bool IsMedia(string topic) => NameOf(topic) is not null;

    /// <summary>The name part (what follows <c>media/</c>; may hold further levels), or null when the topic is no media topic.</summary>
    public static string? NameOf(string topic)
    {
        if (!topic.StartsWith(DeviceTopics.Prefix, StringComparison.Ordinal)) return null;
        var keyEnd = topic.IndexOf('/', DeviceTopics.Prefix.Length);
        if (keyEnd <= DeviceTopics.Prefix.Length || string.CompareOrdinal(topic, keyEnd, Segment, 0, Segment.Length) != 0) return null;
        var name = topic[(keyEnd + Segment.Length)..];
        return name.Length > 0 ? name : null;
    }

    public const int MaxNameLength = 200;

    /// <summary>Why <paramref name="name"/> cannot be a media name (one or more topic levels), or null.</summary>
    public static string? NameProblem(string? name) => name switch
    {
        null or "" => "Give the media a name, e.g. snapshot.jpg.",
        { Length: > MaxNameLength } => $"A media name has at most {MaxNameLength} characters.",
        _ when name.Any(c => c is '+' or '#' || char.IsControl(c)) => "A media name cannot contain + or # or control characters.",
        _ when name.StartsWith('/') || name.EndsWith('/') || name.Contains("//", StringComparison.Ordinal) => "A media name cannot start or end with / or hold an empty level.",
        _ => null,
    };

    /// <summary>The file name a media message is stored under: the topic's last level ("cam1/snapshot.jpg" gives "snapshot.jpg").</summary>
    public static string FileNameOf(string name) => name[(name.LastIndexOf('/') + 1)..] is { Length: > 0 } last ? last : "media";
}

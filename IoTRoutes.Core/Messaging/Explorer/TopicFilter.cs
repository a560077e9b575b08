namespace IoTRoutes.Core.Messaging.Explorer;

/// <summary>
/// An MQTT topic filter (<c>+</c> one level, <c>#</c> the rest, OASIS MQTT 3.1.1 §4.7). The part before the first
/// wildcard narrows the query in the database (<see cref="Prefix"/>); <see cref="Matches"/> finishes the match.
/// </summary>
public sealed class TopicFilter
{
    public const int MaxLength = 1024;

    private readonly string[] _levels;

    private TopicFilter(string text)
    {
        Text = text;
        _levels = text.Split('/');
        var wildcard = text.IndexOfAny(['+', '#']);
        HasWildcards = wildcard >= 0;
        Prefix = HasWildcards ? text[..wildcard] : text;
        // "a/b/#" also matches "a/b" itself.
        Parent = wildcard > 0 && text[wildcard] == '#' ? text[..(wildcard - 1)] : null;
    }

    public string Text { get; }

    /// <summary>The device key of a filter within one device's topics (<c>devices/&lt;key&gt;/…</c>), else null.</summary>
    public string? DeviceKey
    {
        get
        {
            var root = Brokers.DeviceTopics.Prefix;
            var end = Prefix.StartsWith(root, StringComparison.Ordinal) ? Prefix.IndexOf('/', root.Length) : -1;
            return end > root.Length ? Prefix[root.Length..end] : null;
        }
    }

    public bool HasWildcards { get; }

    /// <summary>What every matching topic starts with (the whole topic without wildcards); may be empty.</summary>
    public string Prefix { get; }

    /// <summary>For a filter ending in <c>/#</c> with no wildcard before it: the topic one level up, which it matches too.</summary>
    public string? Parent { get; }

    /// <summary>The filter, or why it is not one.</summary>
    public static (TopicFilter? Filter, string? Error) Parse(string text)
    {
        if (text.Length == 0)
        {
            return (null, "topic must not be empty.");
        }

        if (text.Length > MaxLength)
        {
            return (null, $"topic has at most {MaxLength} characters.");
        }

        var levels = text.Split('/');
        for (var i = 0; i < levels.Length; i++)
        {
            var level = levels[i];
            if (level.Contains('#') && (level != "#" || i != levels.Length - 1))
            {
                return (null, "topic: # stands alone as the last level (devices/abc/#).");
            }

            if (level.Contains('+') && level != "+")
            {
                return (null, "topic: + stands alone as a level (devices/+/up).");
            }
        }

        return (new TopicFilter(text), null);
    }

    public bool Matches(string topic)
    {
        // Wildcards at the first level do not match system topics ($SYS/...).
        if (topic.StartsWith('$') && _levels[0] is "+" or "#")
        {
            return false;
        }

        var levels = topic.Split('/');
        for (var i = 0; i < _levels.Length; i++)
        {
            var want = _levels[i];
            if (want == "#")
            {
                return true;
            }

            if (i >= levels.Length || (want != "+" && !string.Equals(want, levels[i], StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return levels.Length == _levels.Length;
    }

    public override string ToString() => Text;
}

namespace IoTRoutes.Core.Messaging.Brokers.Topics;

/// <summary>MQTT topic filter syntax and matching (MQTT 3.1.1 §4.7, 5.0 §4.7), for the platform's own rules.</summary>
public static class TopicFilter
{
    public static bool IsValid(string filter)
    {
        if (filter.Length is 0 or > 65535 || filter.Contains('\0'))
        {
            return false;
        }

        var levels = filter.Split('/');
        for (var i = 0; i < levels.Length; i++)
        {
            var level = levels[i];
            if (level.Contains('#') && (level != "#" || i != levels.Length - 1))
            {
                return false;
            }

            if (level.Contains('+') && level != "+")
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether <paramref name="filter"/> matches <paramref name="topic"/>. Topics starting with '$' are not
    /// matched by a filter starting with a wildcard.
    /// </summary>
    public static bool Matches(string filter, string topic)
    {
        if (topic.StartsWith('$') && (filter.StartsWith('#') || filter.StartsWith('+')))
        {
            return false;
        }

        var f = filter.Split('/');
        var t = topic.Split('/');
        for (var i = 0; i < f.Length; i++)
        {
            if (f[i] == "#")
            {
                return true; // also matches the parent level: "a/#" matches "a"
            }

            if (i >= t.Length || (f[i] != "+" && f[i] != t[i]))
            {
                return false;
            }
        }

        return f.Length == t.Length;
    }

    /// <summary>
    /// Whether every topic <paramref name="filter"/> matches is also matched by <paramref name="area"/>: "a/+/c" lies within
    /// "a/#" and "+/+/c", "#" lies within nothing narrower.
    /// </summary>
    public static bool IsWithin(string filter, string area)
    {
        // A filter starting with a wildcard never matches '$' topics, so it cannot contain any.
        if (filter.StartsWith('$') && area[0] is '#' or '+')
        {
            return false;
        }

        var f = filter.Split('/');
        var a = area.Split('/');
        for (var i = 0; ; i++)
        {
            if (i < a.Length && a[i] == "#")
            {
                return true; // whatever follows, the parent level included
            }

            if (i >= f.Length || i >= a.Length)
            {
                return f.Length == a.Length;
            }

            if (f[i] == "#" || (a[i] != "+" && (f[i] == "+" || f[i] != a[i])))
            {
                return false;
            }
        }
    }
}

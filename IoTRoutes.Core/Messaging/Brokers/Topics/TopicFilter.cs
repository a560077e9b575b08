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
    /// Whether a subscription to <paramref name="requested"/> could receive any topic that <paramref name="denied"/>
    /// matches — so denying "secret/#" also refuses "#" and "+/x", not just the exact filter.
    /// </summary>
    public static bool Overlaps(string requested, string denied)
    {
        var r = requested.Split('/');
        var d = denied.Split('/');
        // A filter starting with a wildcard never receives '$' topics, nor does it describe them.
        if ((denied.StartsWith('$') && requested[0] is '#' or '+') || (requested.StartsWith('$') && denied[0] is '#' or '+'))
        {
            return false;
        }

        for (var i = 0; ; i++)
        {
            if (i < r.Length && r[i] == "#" || i < d.Length && d[i] == "#")
            {
                return true;
            }

            if (i >= r.Length || i >= d.Length)
            {
                return r.Length == d.Length;
            }

            if (r[i] != "+" && d[i] != "+" && r[i] != d[i])
            {
                return false;
            }
        }
    }
}

using System.Text;
using IoTRoutes.Core.Messaging.Brokers;
using IoTRoutes.Core.Messaging.Brokers.Topics;
using IoTRoutes.Core.Messaging.Commands;

namespace IoTRoutes.Core.Communicators.MqttBridge;

/// <summary>
/// One <see cref="MqttBridgeMapping"/> compiled: its filter's levels and its target template's parts, so that a topic is
/// matched and rewritten without parsing again.
/// </summary>
internal sealed class TopicMapping
{
    private const string KeyPlaceholder = "key";

    private readonly string[] _filter;
    private readonly TemplatePart[] _template;

    private TopicMapping(MqttBridgeMapping source, string[] filter, TemplatePart[] template)
    {
        Source = source;
        _filter = filter;
        _template = template;
    }

    public MqttBridgeMapping Source { get; }

    public string Filter => Source.Filter;

    /// <summary>Compiles <paramref name="mapping"/>, adding what is wrong with it to <paramref name="problems"/> (null then).</summary>
    public static TopicMapping? Compile(MqttBridgeMapping mapping, string field, ProblemList problems)
    {
        var ok = true;
        var inbound = mapping.Direction == MqttBridgeDirection.Inbound;
        if (!Enum.IsDefined(mapping.Direction))
        {
            problems.Add($"{field}.direction", "Direction is Inbound or Outbound.");
            return null;
        }

        var filter = mapping.Filter ?? "";
        var wildcards = new List<char>();
        if (filter.Length == 0)
        {
            problems.Add($"{field}.filter", "A filter is required.");
            ok = false;
        }
        else if (!TopicFilter.IsValid(filter))
        {
            problems.Add($"{field}.filter", $"'{filter}' is not a valid topic filter: + stands alone in its level, # stands alone in the last level.");
            ok = false;
        }
        else
        {
            wildcards.AddRange(filter.Split('/').Where(l => l is "+" or "#").Select(l => l[0]));
            if (!inbound && !TopicFilter.IsWithin(filter, DeviceTopics.Prefix + "#"))
            {
                problems.Add($"{field}.filter", $"An outbound filter matches device topics: it starts with {DeviceTopics.Prefix} ('{DeviceTopics.Prefix}+/telemetry').");
                ok = false;
            }
        }

        var template = ParseTemplate(mapping.Topic ?? "", wildcards, inbound, $"{field}.topic", problems);
        ok &= template is not null;
        if (template is not null && inbound && !CheckInboundTarget(mapping.Topic!, wildcards, $"{field}.topic", problems))
        {
            ok = false;
        }

        if (mapping.Qos is < 0 or > 2)
        {
            problems.Add($"{field}.qos", "QoS is 0, 1 or 2.");
            ok = false;
        }

        if (inbound && mapping.Retain)
        {
            problems.Add($"{field}.retain", "Retain applies to outbound mappings only.");
            ok = false;
        }

        return ok ? new TopicMapping(mapping, filter.Split('/'), template!) : null;
    }

    /// <summary>Whether some topic matches both filters (then an external broker may deliver it for both subscriptions).</summary>
    public static bool Overlap(string a, string b)
    {
        var x = a.Split('/');
        var y = b.Split('/');
        for (var i = 0; ; i++)
        {
            if ((i < x.Length && x[i] == "#") || (i < y.Length && y[i] == "#"))
            {
                return true;
            }

            if (i >= x.Length || i >= y.Length)
            {
                return x.Length == y.Length;
            }

            if (x[i] != "+" && y[i] != "+" && x[i] != y[i])
            {
                return false;
            }
        }
    }

    /// <summary>The target topic for <paramref name="topic"/>, or null when the filter does not match it.</summary>
    public string? Map(string topic, string? deviceKey = null)
    {
        if (!TopicFilter.Matches(Filter, topic))
        {
            return null;
        }

        var levels = topic.Split('/');
        var captures = new List<string>(_filter.Length);
        for (var i = 0; i < _filter.Length; i++)
        {
            if (_filter[i] == "+")
            {
                captures.Add(levels[i]);
            }
            else if (_filter[i] == "#")
            {
                captures.Add(i < levels.Length ? string.Join('/', levels, i, levels.Length - i) : "");
            }
        }

        var target = new StringBuilder();
        foreach (var part in _template)
        {
            target.Append(part.Capture switch
            {
                > 0 => captures[part.Capture - 1],
                0 => part.Text,
                _ => deviceKey ?? "",
            });
        }

        return target.ToString();
    }

    /// <summary>
    /// The device key and topic an inbound target names, or why it names none (a level matched empty, a command topic…).
    /// </summary>
    public static (string? Key, string? Why) ReadDeviceTopic(string target)
    {
        var slash = target.StartsWith(DeviceTopics.Prefix, StringComparison.Ordinal) ? target.IndexOf('/', DeviceTopics.Prefix.Length) : -1;
        if (slash <= DeviceTopics.Prefix.Length)
        {
            return (null, $"'{target}' names no device: a device topic is {DeviceTopics.Prefix}<key>/<topic>.");
        }

        var key = target[DeviceTopics.Prefix.Length..slash];
        if (!DeviceTopics.IsOwn(key, target))
        {
            return (null, $"'{target}' has nothing after the device key.");
        }

        if (target.StartsWith(CommandTopics.Prefix(key), StringComparison.Ordinal))
        {
            return (null, $"'{target}' is a command topic: commands and their replies are not bridged.");
        }

        return MqttTopicNames.Problem(target) is { } problem ? (null, problem) : (key, null);
    }

    private static TemplatePart[]? ParseTemplate(string template, List<char> wildcards, bool inbound, string field, ProblemList problems)
    {
        if (template.Length == 0)
        {
            problems.Add(field, "A target topic is required.");
            return null;
        }

        var parts = new List<TemplatePart>();
        var ok = true;
        var literal = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '}')
            {
                problems.Add(field, $"A '}}' at {i + 1} closes no placeholder: placeholders are {{1}}, {{2}}…{(inbound ? "" : " and {key}")}.");
                return null;
            }

            if (c != '{')
            {
                literal.Append(c);
                continue;
            }

            var end = template.IndexOf('}', i);
            if (end < 0)
            {
                problems.Add(field, $"The '{{' at {i + 1} is not closed.");
                return null;
            }

            var name = template[(i + 1)..end];
            i = end;
            if (literal.Length > 0)
            {
                parts.Add(new TemplatePart(literal.ToString(), 0));
                literal.Clear();
            }

            if (name == KeyPlaceholder)
            {
                if (inbound)
                {
                    problems.Add(field, "{key} is for outbound mappings: inbound, the device key is taken from the topic ({1}, {2}…).");
                    ok = false;
                }

                parts.Add(new TemplatePart("", -1));
            }
            else if (int.TryParse(name, System.Globalization.NumberStyles.None, null, out var index) && index >= 1)
            {
                if (index > wildcards.Count)
                {
                    problems.Add(field, wildcards.Count == 0
                        ? $"{{{index}}} refers to a wildcard, but the filter has none."
                        : $"{{{index}}} refers to wildcard {index}, but the filter has {wildcards.Count} (+ or #).");
                    ok = false;
                }

                parts.Add(new TemplatePart("", index));
            }
            else
            {
                problems.Add(field, $"{{{name}}} is not a placeholder: use {{1}}, {{2}}… for the filter's wildcards{(inbound ? "" : " and {key} for the device key")}.");
                ok = false;
            }
        }

        if (literal.Length > 0)
        {
            parts.Add(new TemplatePart(literal.ToString(), 0));
        }

        var text = string.Concat(parts.Where(p => p.Capture == 0).Select(p => p.Text));
        if (text.Contains('+') || text.Contains('#') || text.Contains('\0'))
        {
            problems.Add(field, "A target topic cannot contain the wildcards + or #.");
            ok = false;
        }

        return ok ? parts.ToArray() : null;
    }

    private static bool CheckInboundTarget(string template, List<char> wildcards, string field, ProblemList problems)
    {
        var levels = template.Split('/');
        if (levels.Length < 3 || levels[0] != DeviceTopics.Prefix.TrimEnd('/') || levels[1].Length == 0)
        {
            problems.Add(field, $"An inbound mapping's topic is a device topic: {DeviceTopics.Prefix}<key>/<topic> ('{DeviceTopics.Prefix}{{1}}/telemetry').");
            return false;
        }

        // The key level must stay one level: a # matches several.
        for (var at = levels[1].IndexOf('{'); at >= 0; at = levels[1].IndexOf('{', at + 1))
        {
            var end = levels[1].IndexOf('}', at);
            if (int.TryParse(levels[1][(at + 1)..end], out var index) && index <= wildcards.Count && wildcards[index - 1] == '#')
            {
                problems.Add(field, $"The device key cannot come from a # wildcard ({{{index}}}): it may span several levels; use a +.");
                return false;
            }
        }

        if (levels[2] == "commands")
        {
            problems.Add(field, $"{DeviceTopics.Prefix}<key>/commands/ is the platform's command topic; choose another.");
            return false;
        }

        return true;
    }

    /// <param name="Capture">0: literal <paramref name="Text"/>; n > 0: the n-th wildcard's match; -1: the device key.</param>
    private readonly record struct TemplatePart(string Text, int Capture);
}

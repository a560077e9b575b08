using System.Text.Json;
using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Messaging.Formats.Json;

/// <summary>
/// The part of JSONPath a field mapping needs: <c>$.a.b[0].c</c>, <c>a.b</c>, <c>$['a b'][2]</c>. Parsed once per
/// format version; <see cref="Select"/> walks it on each message.
/// </summary>
public sealed class JsonPath
{
    private readonly object[] _steps; // string: property; int: array index

    private JsonPath(string text, object[] steps) => (Text, _steps) = (text, steps);

    public string Text { get; }

    public static bool TryParse(string? text, out JsonPath path, out string? error)
    {
        path = null!;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "A path is needed, such as $.temperature or $.readings[0].value.";
            return false;
        }

        var steps = new List<object>();
        var s = text.Trim();
        var i = s.StartsWith('$') ? 1 : 0;
        var expectName = i == 0;
        while (i < s.Length)
        {
            if (expectName || s[i] == '.')
            {
                if (!expectName) i++;
                expectName = false;
                var start = i;
                while (i < s.Length && s[i] != '.' && s[i] != '[') i++;
                if (i == start)
                {
                    error = $"\"{text}\": a property name is missing at character {start + 1}.";
                    return false;
                }

                steps.Add(s[start..i]);
            }
            else if (s[i] == '[')
            {
                var close = s.IndexOf(']', i);
                if (close < 0)
                {
                    error = $"\"{text}\": '[' at character {i + 1} is not closed.";
                    return false;
                }

                var inner = s[(i + 1)..close].Trim();
                if (inner.Length >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[^1] == inner[0])
                {
                    steps.Add(inner[1..^1]);
                }
                else if (int.TryParse(inner, out var index) && index >= 0)
                {
                    steps.Add(index);
                }
                else
                {
                    error = $"\"{text}\": [{inner}] is neither an index nor a quoted name.";
                    return false;
                }

                i = close + 1;
            }
            else
            {
                error = $"\"{text}\": unexpected '{s[i]}' at character {i + 1}.";
                return false;
            }
        }

        path = new JsonPath(text, [.. steps]);
        return true;
    }

    /// <summary>The node at this path, or null when any step is missing (a JSON null is returned as null too).</summary>
    public JsonNode? Select(JsonNode? root)
    {
        var node = root;
        foreach (var step in _steps)
        {
            node = step switch
            {
                string name when node is JsonObject o => o.TryGetPropertyValue(name, out var child) ? child : null,
                int index when node is JsonArray a => index < a.Count ? a[index] : null,
                _ => null,
            };
            if (node is null) return null;
        }

        return node;
    }

    /// <summary>The same walk over a parsed document, without building nodes (the intake's path).</summary>
    public JsonElement? Select(JsonElement root)
    {
        var element = root;
        foreach (var step in _steps)
        {
            switch (step)
            {
                case string name when element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var child):
                    element = child;
                    break;
                case int index when element.ValueKind == JsonValueKind.Array && index < element.GetArrayLength():
                    element = element[index];
                    break;
                default:
                    return null;
            }
        }

        return element.ValueKind == JsonValueKind.Null ? null : element;
    }
}

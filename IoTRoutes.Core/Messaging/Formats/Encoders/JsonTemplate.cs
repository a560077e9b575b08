using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Messaging.Formats.Encoders;

/// <summary>
/// A command written from a JSON template with placeholders: <c>{"op":"set","value":{{setpoint}},"id":"cmd-{{command}}"}</c>.
/// A placeholder names a value of the command data (dots for nested objects). Outside a JSON string it becomes the value's
/// JSON (a number stays a number, an object an object); inside a string, the value's text. What comes out must be JSON.
/// </summary>
public sealed class JsonTemplate
{
    // Device firmware parses these: keep text as written (é, <, ") rather than \u escapes.
    private static readonly JsonSerializerOptions Plain = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly List<Part> _parts;

    private JsonTemplate(List<Part> parts) => _parts = parts;

    private sealed record Part(string? Text, string[]? Path, bool InString);

    /// <summary>Reads a template; a placeholder left open, an empty one, or a template that is not JSON once filled is an error.</summary>
    public static (JsonTemplate? Template, string? Error) Parse(string text)
    {
        var parts = new List<Part>();
        var literal = new StringBuilder();
        var inString = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '{' && i + 1 < text.Length && text[i + 1] == '{')
            {
                var end = text.IndexOf("}}", i + 2, StringComparison.Ordinal);
                if (end < 0) return (null, $"The placeholder at character {i + 1} is not closed with }}}}.");
                var name = text[(i + 2)..end].Trim();
                if (name.Length == 0 || name.Split('.').Any(p => p.Length == 0)) return (null, $"The placeholder at character {i + 1} names no value.");
                if (name.IndexOfAny(['{', '}', '"']) >= 0) return (null, $"The placeholder at character {i + 1} has a brace or a quote in its name: {{{{{name}}}}}.");
                parts.Add(new Part(literal.ToString(), null, false));
                literal.Clear();
                parts.Add(new Part(null, name.Split('.'), inString));
                i = end + 1;
                continue;
            }

            if (text[i] == '\\' && inString && i + 1 < text.Length)
            {
                literal.Append(text[i]).Append(text[++i]);
                continue;
            }

            if (text[i] == '"') inString = !inString;
            literal.Append(text[i]);
        }

        parts.Add(new Part(literal.ToString(), null, false));
        var template = new JsonTemplate(parts);
        var (sample, _) = template.Fill(null);
        try
        {
            JsonNode.Parse(sample!);
        }
        catch (JsonException e)
        {
            return (null, $"The template is not JSON: {e.Message.Split(" Path:")[0]}");
        }

        return (template, null);
    }

    public EncodedPayload Encode(JsonObject data, int fPort)
    {
        string? json;
        List<string> missing;
        try
        {
            (json, missing) = Fill(data);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            return EncodedPayload.Failed(fPort, $"A value of the command data cannot be written as JSON: {e.Message}");
        }

        if (missing.Count > 0)
        {
            return EncodedPayload.Failed(fPort, [.. missing.Distinct().Select(m => $"The template needs \"{m}\", which the command data does not have.")]);
        }

        try
        {
            return new EncodedPayload(Encoding.UTF8.GetBytes(JsonNode.Parse(json!)?.ToJsonString(Plain) ?? "null"), fPort, [], []);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            // Not JSON once filled, or a value JSON cannot write (a lone UTF-16 surrogate): the command is refused, never a 500.
            return EncodedPayload.Failed(fPort, $"The filled template is not JSON: {e.Message.Split(" Path:")[0]}");
        }
    }

    /// <summary>The template with each placeholder filled from <paramref name="data"/>; with no data, with a neutral value (to check its shape).</summary>
    private (string? Json, List<string> Missing) Fill(JsonObject? data)
    {
        var text = new StringBuilder();
        var missing = new List<string>();
        foreach (var part in _parts)
        {
            if (part.Text is not null)
            {
                text.Append(part.Text);
                continue;
            }

            if (data is null)
            {
                text.Append(part.InString ? "x" : "0");
                continue;
            }

            if (!TryFind(data, part.Path!, out var value))
            {
                missing.Add(string.Join('.', part.Path!));
                continue;
            }

            var json = value?.ToJsonString(Plain) ?? "null";
            text.Append(!part.InString ? json : value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? json[1..^1] : JsonSerializer.Serialize(json, Plain)[1..^1]);
        }

        return (text.ToString(), missing);
    }

    /// <summary>The value at <paramref name="path"/>; an explicit JSON null is found (and written as null).</summary>
    private static bool TryFind(JsonObject data, string[] path, out JsonNode? value)
    {
        value = data;
        foreach (var name in path)
        {
            if (value is not JsonObject o || !o.TryGetPropertyValue(name, out value)) return false;
        }

        return true;
    }
}

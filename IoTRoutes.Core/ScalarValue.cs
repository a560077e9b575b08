using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IoTRoutes.Core;

/// <summary>
/// One stored value that is not a whole document: a text, a finite number (kept as a double, as workflows compute) or
/// true/false. Device attributes and computed telemetry fields are such values.
/// </summary>
public static class ScalarValue
{
    // Texts are stored as written (no \u escapes for non-ASCII), so a column's length bounds the text, not its escaping.
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The value in its one stored form (numbers as doubles), or why it cannot be one.</summary>
    public static (JsonValue? Value, string? Problem) Check(JsonNode? node, int maxTextLength)
    {
        switch (node)
        {
            case null:
                return (null, "A value is needed: a text, a number or true/false.");
            case JsonObject or JsonArray:
                return (null, "One value is expected (a text, a number or true/false), not an object or a list.");
        }

        var value = node.AsValue();
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                var text = value.GetValue<string>();
                return text.Length > maxTextLength ? (null, $"A text value has at most {maxTextLength:N0} characters.")
                    : TextProblem(text) is { } problem ? (null, problem)
                    : (JsonValue.Create(text), null);
            case JsonValueKind.Number:
                // Its JSON text, whatever .NET type holds it (a JsonValue made from an int answers no double).
                return double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                    ? (JsonValue.Create(number), null)
                    : (null, "A number must be finite and within the range of a double.");
            case JsonValueKind.True or JsonValueKind.False:
                return (JsonValue.Create(value.GetValue<bool>()), null);
            default:
                return (null, "A value is needed: a text, a number or true/false.");
        }
    }

    /// <summary>A .NET value as a workflow computes it (double, long, string, bool, JSON), checked the same way.</summary>
    public static (JsonValue? Value, string? Problem) Check(object? value, int maxTextLength) => value switch
    {
        double d when !double.IsFinite(d) => (null, $"{d.ToString(CultureInfo.InvariantCulture)} is not a number that can be stored."),
        double or long or int or decimal => Check(JsonValue.Create(Workflows.Engine.WorkflowValues.AsNumber(value)!.Value), maxTextLength),
        string text => Check(JsonValue.Create(text), maxTextLength),
        bool b => Check(JsonValue.Create(b), maxTextLength),
        JsonNode node => Check(node, maxTextLength),
        null => Check((JsonNode?)null, maxTextLength),
        _ => (null, $"A {value.GetType().Name} is not a text, a number or true/false."),
    };

    /// <summary>The stored JSON text of a checked value: equal values have equal texts.</summary>
    public static string Json(JsonValue value) => value.ToJsonString(Relaxed);

    private static string? TextProblem(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return "A text value must be valid Unicode.";
            }
            else if (char.IsControl(c))
            {
                return "A text value cannot contain control characters (line breaks, tabs, NUL, escape sequences).";
            }
        }

        return null;
    }
}
